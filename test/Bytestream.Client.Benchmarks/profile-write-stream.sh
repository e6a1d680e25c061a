#!/usr/bin/env bash
# Paired CPU profile of the write stream and the raw stub (issue 21): runs `run --suite write-stream` with
# BENCH_MARKS=1, samples the client process with perf (CLOCK_MONOTONIC, 499 Hz, call stacks, JIT frames named
# through the runtime's perf map) from the first measured pair to the end, splits the samples by run, and prints
# client CPU milliseconds per GiB by kind (each copy, kernel send, thread-pool spinning, gRPC, the library...) for
# both sides. Thread-pool spinning is turned off (it is CPU that depends on load, not on the path). Needs perf
# and python3; root or perf_event_paranoid <= 1. Extra arguments go to the harness (e.g. --replay-buffer 0).
#   dotnet build test/Bytestream.Client.Benchmarks -c Release
#   test/Bytestream.Client.Benchmarks/profile-write-stream.sh [--size 256] [--rounds 12] [--replay-buffer MiB]
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
bin="$here/bin/Release/net10.0/Bytestream.Client.Benchmarks"
[ -x "$bin" ] || { echo "build first: dotnet build test/Bytestream.Client.Benchmarks -c Release" >&2; exit 2; }
size=256
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do [ "${args[$i]}" = "--size" ] && size="${args[$((i + 1))]}"; done
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

BENCH_MARKS=1 DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 DOTNET_ReadyToRun=0 \
  DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0 "$bin" run --suite write-stream --size "$size" "$@" > "$out/run.txt" 2>&1 &
pid=$!
until grep -q "| pair" "$out/run.txt"; do
  sleep 0.3
  kill -0 "$pid" 2>/dev/null || { cat "$out/run.txt"; exit 1; }
done
server="$(pgrep -P "$pid" || true)"
perf record -k mono -F 499 -g -p "$pid" -o "$out/perf.data" > "$out/perf.log" 2>&1
wait "$pid"
grep -v '^mark ' "$out/run.txt"
perf script -F comm,tid,time,ip,sym,dso -i "$out/perf.data" > "$out/stacks.txt" 2> /dev/null
for p in $pid $server; do rm -f "/tmp/perf-$p.map"; done
python3 - "$out/stacks.txt" "$out/run.txt" "$size" <<'PY'
import collections, re, sys

stacks_file, run_file, size = sys.argv[1], sys.argv[2], float(sys.argv[3])
marks = []
for line in open(run_file):
    if line.startswith('mark '):
        _, side, start, end, freq = line.split()
        marks.append((side, int(start) / float(freq), int(end) / float(freq)))

def near(stack, text, depth=8):
    return any(text in frame for frame in stack[:depth])

def anywhere(stack, *texts):
    return any(text in frame for frame in stack for text in texts)

# First match wins; a sample counts once.
KINDS = [
    ('copy: caller buffer -> chunk (write stream)', lambda s: 'memmove' in s[0] and near(s, 'WrittenUploadSource+<WriteAsync>', 6)),
    ('copy: source read', lambda s: 'memmove' in s[0] and (near(s, 'CopyToAsync', 4) or near(s, 'FillAsync', 4))),
    ('copy: protobuf serialization (gRPC)', lambda s: 'memmove' in s[0] and near(s, 'WriteRawBytes')),
    ('copy: HTTP/2 frames', lambda s: 'memmove' in s[0] and near(s, 'Http2')),
    ('copy: other', lambda s: 'memmove' in s[0]),
    ('kernel: send', lambda s: anywhere(s, 'sys_sendto')),
    ('kernel: receive, epoll', lambda s: anywhere(s, 'recvfrom', 'epoll')),
    ('thread pool: spinning', lambda s: anywhere(s, 'sched_yield', 'LowLevelLifoSemaphore::Wait', 'SpinWait')),
    ('waits, context switches', lambda s: anywhere(s, 'futex', 'finish_task_switch')),
    ('JIT', lambda s: anywhere(s, 'libclrjit')),
    ('gRPC, HTTP/2 (managed)', lambda s: anywhere(s, 'Grpc.', 'System.Net.Http')),
    ('Bytestream.Client (managed)', lambda s: anywhere(s, 'Bytestream.Client]')),
    ('thread pool: dispatch', lambda s: anywhere(s, 'ThreadPoolWorkQueue::Dispatch', 'PortableThreadPool')),
    ('other', lambda s: True),
]
NOT_WORK = {'thread pool: spinning', 'waits, context switches', 'JIT'}
counts = {'raw': collections.Counter(), 'stream': collections.Counter()}

def add(stack, time):
    side = None if time is None else next((m[0] for m in marks if m[1] <= time <= m[2]), None)
    if side and stack:
        counts[side][next(name for name, rule in KINDS if rule(stack))] += 1

stack, time = [], None
for line in open(stacks_file):
    if not line.strip():
        add(stack, time)
        stack, time = [], None
    elif line[0] not in '\t ':
        found = re.search(r'\s(\d+\.\d+):', line)
        time = float(found.group(1)) if found else None
    elif found := re.match(r'^\s*[0-9a-f]+\s+(.*?)\s+\((.*)\)$', line):
        symbol, dso = found.groups()
        symbol = re.sub(r'\+0x[0-9a-f]+$', '', symbol)
        stack.append('?' + dso.split('/')[-1] if symbol == '[unknown]' else symbol)
add(stack, time)

gib = {side: sum(1 for m in marks if m[0] == side) * size / 1024 for side in counts}
ms = lambda side, n: n / 499 / gib[side] * 1000
print(f"\n| client CPU ms per GiB (perf, 499 Hz) | raw stub | write stream | difference |\n| --- | ---: | ---: | ---: |")
for name, _ in KINDS:
    raw, stream = ms('raw', counts['raw'][name]), ms('stream', counts['stream'][name])
    if raw or stream:
        print(f"| {name} | {raw:.1f} | {stream:.1f} | {stream - raw:+.1f} |")
for label, keep in (('all samples', lambda n: True), ('work (without spinning, waits, JIT)', lambda n: n not in NOT_WORK)):
    raw = ms('raw', sum(c for n, c in counts['raw'].items() if keep(n)))
    stream = ms('stream', sum(c for n, c in counts['stream'].items() if keep(n)))
    print(f"| **{label}** | {raw:.1f} | {stream:.1f} | {stream - raw:+.1f} ({stream / raw:.2f}x) |")
PY
