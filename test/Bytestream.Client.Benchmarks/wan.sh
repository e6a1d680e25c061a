#!/usr/bin/env bash
# Transfers over a simulated long fat link: client in network namespace bsA (10.77.0.1), servers in bsB
# (10.77.0.2), joined by wanem's delay relay and tbf (shared/tools/wanem/net.sh). For each RTT: a plain TCP
# baseline (iperf3), then per server (our test server, `bytestream serve`; Google's Go server, bsserver) the
# harness's warm figures (`run --target`, one channel, after its warm-up) and cold ones (one `bytestream upload`
# and one `bytestream download`, each a new process and connection; the download's sha256 is checked). Prints
# one Markdown table and saves it. Root only. The namespaces and every process this script starts are gone when it
# exits, however it exits; its scratch folder keeps the payload, the Go peer's build and the logs for the next run.
#
#   sudo test/Bytestream.Client.Benchmarks/wan.sh                 # RTT 10, 50, 100 ms; 1gbit; 256 MiB; both servers
#   sudo test/Bytestream.Client.Benchmarks/wan.sh --rtts 50 --size 64 --servers go
#   sudo test/Bytestream.Client.Benchmarks/wan.sh --quick         # CI smoke: 10 ms, 32 MiB, test server, 1 round
#
# Exits 0 with one line `wan: skipped: WHY` when this machine cannot make network namespaces; non-zero only
# when a build, a transfer or a data check failed (never because figures are low).
set -euo pipefail

usage() {
  cat <<'EOF'
usage: wan.sh [--quick] [--rtts "10 50 100"] [--rate 1gbit] [--size MiB] [--rounds N] [--servers test,go] [--client-window KiB] [--out FILE]
  --quick        CI smoke: --rtts 10 --size 32 --rounds 1 --servers test (later options still apply)
  --rtts LIST    round-trip times in ms, space- or comma-separated (default "10 50 100")
  --rate RATE    link rate for tbf, each direction (default 1gbit)
  --size MiB     bytes per transfer, in MiB (default 256)
  --rounds N     the harness's measured rounds after its warm-up (default 2)
  --servers LIST test (bytestream serve) and/or go (Google's bsserver) (default test,go)
  --client-window KiB  the harness's initial HTTP/2 receive window per stream (warm rows only; default: .NET's)
  --out FILE     where the Markdown results go (default /tmp/wan-results.md)
environment: WANEM_DIR (folder of net.sh), BYTESTREAM_GO_PEER_DIR (a Go peer folder already built by setup.sh),
  BYTESTREAM_GO_PEER_SRC (the Go peer's sources), WAN_WORK (scratch folder, default /tmp/bytestream-wan),
  WANEM_NS_A/WANEM_NS_B/WANEM_STATE (passed on to net.sh). Runs wait for each other (a lock per pair of
  namespaces); two at once need their own WANEM_NS_A, WANEM_NS_B, WANEM_STATE and WAN_WORK.
EOF
}

rtts="10 50 100" rate=1gbit size_mib=256 rounds=2 servers="test,go" out=/tmp/wan-results.md window=()
while (($#)); do
  case "$1" in
    --quick) rtts=10 size_mib=32 rounds=1 servers=test ;;
    --rtts) rtts="${2:?--rtts needs a value}"; shift ;;
    --rate) rate="${2:?--rate needs a value}"; shift ;;
    --size) size_mib="${2:?--size needs a value}"; shift ;;
    --rounds) rounds="${2:?--rounds needs a value}"; shift ;;
    --servers) servers="${2:?--servers needs a value}"; shift ;;
    --client-window) window=(--client-window "${2:?--client-window needs a value}"); shift ;;
    --out) out="${2:?--out needs a value}"; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "wan: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
rtts="${rtts//,/ }" servers="${servers//,/ }"
for r in $rtts; do [[ "$r" =~ ^[0-9]+$ ]] || { echo "wan: --rtts takes whole milliseconds, not '$r'" >&2; exit 2; }; done
[[ "$size_mib" =~ ^[1-9][0-9]*$ && "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "wan: --size and --rounds take positive whole numbers" >&2; exit 2; }
for s in $servers; do [[ "$s" = test || "$s" = go ]] || { echo "wan: --servers takes test and/or go, not '$s'" >&2; exit 2; }; done
size=$((size_mib * 1024 * 1024))

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
wanem_dir="${WANEM_DIR:-$repo/../shared/tools/wanem}"
go_src="${BYTESTREAM_GO_PEER_SRC:-$repo/../shared/peers/go}"
work="${WAN_WORK:-/tmp/bytestream-wan}"
NA="${WANEM_NS_A:-bsA}" NB="${WANEM_NS_B:-bsB}"
client_ip=10.77.0.1 server_ip=10.77.0.2
say() { echo "wan: $*" >&2; }
skip() { echo "wan: skipped: $*"; exit 0; }

# 1. Preconditions: what a CI runner may lack makes this a clean skip, not a failure.
[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, tc)"
{ command -v ip && command -v tc; } >/dev/null || skip "no ip/tc (iproute2)"
[ -x "$wanem_dir/net.sh" ] || skip "no $wanem_dir/net.sh (set WANEM_DIR)"
[ -c /dev/net/tun ] || skip "no /dev/net/tun (the delay relay is a TUN relay)"
probe="wanprobe$$"
ip netns add "$probe" 2>/dev/null || skip "ip netns add fails here (no network namespaces)"
tbf_ok=1
ip netns exec "$probe" tc qdisc add dev lo root tbf rate 1gbit burst 256kb latency 25ms 2>/dev/null || tbf_ok=0
ip netns del "$probe"
((tbf_ok)) || skip "tc cannot add a tbf qdisc (no sch_tbf)"

# One run at a time per pair of namespaces: a second net.sh up would tear down the first run's link. Children
# are started without fd 9, so none of them can outlive this script holding the lock.
lock="/tmp/wan-$NA-$NB.lock"
exec 9>"$lock"
flock -n 9 || { say "another wan.sh run holds $lock; waiting for it"; flock 9; }

# Everything started from here on is stopped by cleanup, whatever ends the script.
pids=() net_up=0 failures=0
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if ((net_up)); then (cd "$wanem_dir" && ./net.sh down) || true; fi
  rm -f "$work"/download.bin*
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$work/logs"
logs="$work/logs"
rm -f "$logs"/*

# 2. Tools: iperf3 and python3 (JSON) from Debian if missing, the Go peer, the harness and the tool.
apt_updated=0
apt_install() {
  ((apt_updated)) || { say "apt-get update"; apt-get update -qq; apt_updated=1; }
  say "installing $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >"$logs/apt.log" 2>&1 ||
    { cat "$logs/apt.log" >&2; return 1; }
}
command -v iperf3 >/dev/null || apt_install iperf3 || skip "iperf3 is missing and could not be installed"
command -v python3 >/dev/null || apt_install python3 || skip "python3 is missing and could not be installed"

# A build is needed when the output is missing or any source it depends on is newer (the compiled dll, not
# the apphost, which a build leaves alone when it has not changed).
stale() {
  local out="$1"; shift
  [ -f "$out" ] || return 0
  [ -n "$(find "$@" \( -path '*/bin' -o -path '*/obj' \) -prune -o -type f -newer "$out" \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' -o -name global.json -o -name '*.go' -o -name setup.sh \) -print -quit)" ]
}
build_dotnet() { # project folder, executable name
  local dir="$repo/$1" name="$2" outs
  outs=("$dir"/bin/Release/net*/)
  if stale "${outs[-1]}$name.dll" "$dir" "$repo/src" "$repo/Directory.Build.props" "$repo/Directory.Packages.props" "$repo/global.json"; then
    say "dotnet build -c Release $1"
    dotnet build -c Release "$dir" -nologo >"$logs/build-$name.log" 2>&1 || { tail -n 30 "$logs/build-$name.log" >&2; return 1; }
    outs=("$dir"/bin/Release/net*/)
    touch "${outs[-1]}$name.dll" # built from today's sources, even when the compiler found nothing to redo
  fi
  built="${outs[-1]}$name"
}
build_dotnet test/Bytestream.Client.Benchmarks Bytestream.Client.Benchmarks
harness="$built"
build_dotnet samples/Bytestream.Cli bytestream
tool="$built"

if [[ " $servers " = *" go "* ]]; then
  if [ -n "${BYTESTREAM_GO_PEER_DIR:-}" ] && [ -x "$BYTESTREAM_GO_PEER_DIR/build/bin/bsserver" ]; then
    gopeer="$BYTESTREAM_GO_PEER_DIR"
  else
    # shared/peers/go is read-only: build a copy.
    [ -x "$go_src/setup.sh" ] || { say "no Go peer at $go_src (set BYTESTREAM_GO_PEER_SRC or BYTESTREAM_GO_PEER_DIR)"; exit 1; }
    gopeer="$work/gopeer"
    if stale "$gopeer/build/bin/bsserver" "$go_src"; then
      say "building Google's Go server (setup.sh) in $gopeer"
      rm -rf "$gopeer" && mkdir -p "$gopeer" && cp -r "$go_src/." "$gopeer/"
      "$gopeer/setup.sh" >"$logs/gopeer-setup.log" 2>&1 || { tail -n 30 "$logs/gopeer-setup.log" >&2; exit 1; }
    fi
  fi
fi

# The payload of the cold transfers: random bytes, written once per size and kept with their sha256.
data="$work/data-${size_mib}MiB.bin"
if [ ! -f "$data" ] || [ "$(stat -c %s "$data")" -ne "$size" ] || [ ! -s "$data.sha256" ]; then
  say "writing $size_mib MiB of random data to $data"
  head -c "$size" /dev/urandom >"$data.tmp" && mv "$data.tmp" "$data"
  sha256sum "$data" | cut -d' ' -f1 >"$data.sha256"
fi
want_sha="$(cat "$data.sha256")"

# 3. Measuring. Each row: RTT, path, direction, cold/warm, MB/s (or failed), what measured it.
rows="$work/rows.tsv" notes="$work/notes.md"
: >"$rows"; : >"$notes"
row() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$rows"; say "RTT $1 ms: $2 $3 $4: $5 MB/s ($6)"; }
failed() { failures=$((failures + 1)); say "FAILED: $*"; }

clk="$(getconf CLK_TCK)"
cpu_seconds() { # pid: user + system CPU seconds so far
  awk -v t="$clk" '{ print ($14 + $15) / t }' "/proc/$1/stat" 2>/dev/null || echo 0
}

start_in() { # namespace, log, command...: starts it in the background; sets $started (its pid: ip netns exec execs it)
  local ns="$1" log="$2"; shift 2
  ip netns exec "$ns" "$@" >"$log" 2>&1 </dev/null 9>&- &
  started=$!
  pids+=("$started")
}
stop() { # pid
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  local kept=() p
  for p in "${pids[@]}"; do [ "$p" = "$1" ] || kept+=("$p"); done
  pids=("${kept[@]}")
}
wait_port() { # namespace, port, pid, log: until the server listens (no probe connection: iperf3 would count it as a test)
  for _ in $(seq 1 300); do
    kill -0 "$3" 2>/dev/null || { say "server exited:"; cat "$4" >&2; return 1; }
    [ -n "$(ip netns exec "$1" ss -Hltn "sport = :$2")" ] && return 0
    sleep 0.1
  done
  say "nothing listening on port $2 in $1 after 30 s"
  return 1
}

# iperf3 -R JSON -> "cold warm": the receiving client's figures. cold = bytes / seconds of the whole transfer on
# one new connection (from the test's start, after the connection is made, to the last byte); warm = median 0.1 s
# interval of the transfer's second half (the last, partial interval left out): the connection at full window.
iperf_rates() {
  python3 - "$1" <<'PY'
import json, statistics, sys
d = json.load(open(sys.argv[1]))
r = d["end"]["sum_received"]
iv = [i["sum"] for i in d["intervals"]][:-1]
half = [i["bytes"] / i["seconds"] / 1e6 for i in iv if i["start"] >= iv[-1]["end"] / 2 and i["seconds"] > 0]
print(f'{r["bytes"] / r["seconds"] / 1e6:.1f} {statistics.median(half):.1f} {r["bytes"]}')
PY
}

# bytestream --json -> "bytes seconds"
tool_figures() {
  python3 -c 'import json, sys; d = json.loads(sys.stdin.readline()); print(d.get("committedSize", d.get("bytes")), d["seconds"])' <"$1"
}

# The harness's median MB/s of one scenario, from its Markdown table.
harness_rate() { # log, scenario
  awk -F'|' -v s="$2" '{ n = $2; gsub(/^ +| +$/, "", n); if (n == s) { v = $3; gsub(/ /, "", v); print v; exit } }' "$1"
}

# iperf3 3.12 ends a test as soon as the sender has written its last byte, so a receiving iperf3 server misses
# what is still in flight (a third of a 32 MiB upload at 10 ms). The receiving side is therefore always the iperf3
# client, with -R: for up, the iperf3 server runs in namespace A and the client in B.
measure_tcp() { # rtt
  local rtt="$1" port=5201 dir json cold warm got pid_a pid_b
  start_in "$NB" "$logs/iperf3-server-b-$rtt.log" iperf3 -s -B "$server_ip" -p "$port"
  pid_b="$started"
  start_in "$NA" "$logs/iperf3-server-a-$rtt.log" iperf3 -s -B "$client_ip" -p "$port"
  pid_a="$started"
  if wait_port "$NB" "$port" "$pid_b" "$logs/iperf3-server-b-$rtt.log" && wait_port "$NA" "$port" "$pid_a" "$logs/iperf3-server-a-$rtt.log"; then
    for dir in up down; do
      json="$logs/iperf3-$rtt-$dir.json"
      local from="$NA" to="$server_ip"
      if [ "$dir" = up ]; then from="$NB" to="$client_ip"; fi
      if ip netns exec "$from" iperf3 -c "$to" -p "$port" -R -n "$size" -i 0.1 -J >"$json" 2>&1 &&
        read -r cold warm got < <(iperf_rates "$json") && [ "$got" -ge "$size" ]; then
        row "$rtt" tcp "$dir" cold "$cold" "iperf3 -R -n $size_mib MiB, one new connection, at the receiver: connected to last byte"
        row "$rtt" tcp "$dir" warm "$warm" "same iperf3 transfer: median 0.1 s interval of its second half"
      else
        failed "iperf3 $dir at RTT $rtt ms (see $json)"
        row "$rtt" tcp "$dir" cold failed "iperf3"
      fi
    done
  else
    failed "iperf3 servers did not start at RTT $rtt ms"
  fi
  stop "$pid_a"
  stop "$pid_b"
}

measure_server() { # rtt, test|go
  local rtt="$1" kind="$2" port path log pid url cpu0
  if [ "$kind" = test ]; then
    port=8980 path=test-server log="$logs/serve-$rtt.log"
    start_in "$NB" "$log" "$tool" serve --listen "$server_ip" --port "$port"
  else
    port=50051 path=go-server log="$logs/bsserver-$rtt.log"
    start_in "$NB" "$log" "$gopeer/build/bin/bsserver" -host "$server_ip" -port "$port" -allow-overwrite
  fi
  pid="$started" url="http://$server_ip:$port"
  wait_port "$NB" "$port" "$pid" "$log" || { failed "$path did not start at RTT $rtt ms"; stop "$pid"; row "$rtt" "$path" up cold failed "server did not start"; return; }
  cpu0="$(cpu_seconds "$pid")"

  # Warm first, so the cold transfers also meet a warmed-up server (JIT, memory), as a busy real one is.
  local hlog="$logs/harness-$rtt-$path.md" rate
  local -A warm=()
  if ip netns exec "$NA" "$harness" run --target "$url" --size "$size_mib" --rounds "$rounds" "${window[@]}" >"$hlog" 2>&1; then
    for scenario in "raw stub Write loop" "UploadAsync(FileStream)" "raw stub Read drain" "DownloadAsync"; do
      rate="$(harness_rate "$hlog" "$scenario")"
      warm[$scenario]="${rate:-failed}"
      [ -n "$rate" ] || failed "no '$scenario' figure in $hlog"
    done
  else
    failed "harness against $path at RTT $rtt ms (see $hlog)"
  fi

  local up="$logs/upload-$rtt-$path.json" down="$logs/download-$rtt-$path.json" name="wan/cold-$rtt" bytes seconds got_sha
  local upload_rate=failed download_rate=failed
  if ip netns exec "$NA" "$tool" upload "$data" "$name" -a "$url" --json >"$up" 2>"$up.err" &&
    read -r bytes seconds < <(tool_figures "$up") && [ "$bytes" -eq "$size" ]; then
    upload_rate="$(awk -v b="$bytes" -v s="$seconds" 'BEGIN { printf "%.1f", b / s / 1e6 }')"
    rm -f "$work/download.bin"
    if ip netns exec "$NA" "$tool" download "$name" "$work/download.bin" -a "$url" --json >"$down" 2>"$down.err" &&
      read -r bytes seconds < <(tool_figures "$down"); then
      got_sha="$(sha256sum "$work/download.bin" | cut -d' ' -f1)"
      if [ "$got_sha" = "$want_sha" ] && [ "$bytes" -eq "$size" ]; then
        download_rate="$(awk -v b="$bytes" -v s="$seconds" 'BEGIN { printf "%.1f", b / s / 1e6 }')"
      else
        failed "downloaded data differs from the upload ($path, RTT $rtt ms): $bytes bytes, sha256 $got_sha, want $want_sha"
      fi
    else
      failed "bytestream download from $path at RTT $rtt ms (see $down.err)"
    fi
    rm -f "$work/download.bin"
  else
    failed "bytestream upload to $path at RTT $rtt ms (see $up.err)"
  fi
  echo "- RTT $rtt ms, $path: server process CPU $(awk -v a="$(cpu_seconds "$pid")" -v b="$cpu0" 'BEGIN { printf "%.1f", a - b }') s for the harness run and the cold transfers" >>"$notes"
  stop "$pid"

  local client="ByteStreamClient" each="warm: one channel after a warm-up round, median of $rounds"
  row "$rtt" "$path" up cold "$upload_rate" "bytestream upload: new process, new connection; the tool's seconds (connect to WriteResponse)"
  row "$rtt" "$path" up warm "${warm[UploadAsync(FileStream)]:-failed}" "$client.UploadAsync(FileStream), $each"
  row "$rtt" "$path" up warm "${warm[raw stub Write loop]:-failed}" "raw generated stub, Write loop, $each"
  row "$rtt" "$path" down cold "$download_rate" "bytestream download to a file, sha256 checked: new process, new connection"
  row "$rtt" "$path" down warm "${warm[DownloadAsync]:-failed}" "$client.DownloadAsync to Stream.Null, $each"
  row "$rtt" "$path" down warm "${warm[raw stub Read drain]:-failed}" "raw generated stub, Read drain, $each"
}

started_at="$(date +%s)" load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
relay_pidfile="${WANEM_STATE:-/tmp/wanem}/wanem.pid"
for rtt in $rtts; do
  say "RTT $rtt ms: net.sh up $rtt $rate tuned"
  net_up=1
  (cd "$wanem_dir" && ./net.sh up "$rtt" "$rate" tuned) >"$logs/net-$rtt.log" 2>&1 9>&- || { cat "$logs/net-$rtt.log" >&2; exit 1; }
  # Every cold connection starts from the kernel's defaults, not from what an earlier one left in the
  # per-destination metrics cache (ssthresh, RTT).
  for ns in "$NA" "$NB"; do ip netns exec "$ns" sysctl -q -w net.ipv4.tcp_no_metrics_save=1; done
  relay="$(cat "$relay_pidfile")" relay_cpu0="$(cpu_seconds "$relay")" t0="$(date +%s)"
  measure_tcp "$rtt"
  for s in $servers; do measure_server "$rtt" "$s"; done
  relay_cpu="$(awk -v a="$(cpu_seconds "$relay")" -v b="$relay_cpu0" 'BEGIN { printf "%.1f", a - b }')"
  (cd "$wanem_dir" && ./net.sh down)
  net_up=0
  fwd="$(sed -n 's/.*A->B [0-9]* pkts \([0-9]*\) bytes.*B->A [0-9]* pkts \([0-9]*\) bytes.*/\1 \2/p' "${WANEM_STATE:-/tmp/wanem}/wanem.log")"
  read -r ab ba <<<"${fwd:-0 0}"
  echo "- RTT $rtt ms: the delay relay used $relay_cpu s CPU in $(($(date +%s) - t0)) s and forwarded $(((ab + ba) / 1000000)) MB (A->B $((ab / 1000000)) MB, B->A $((ba / 1000000)) MB)" >>"$notes"
done
elapsed=$(($(date +%s) - started_at))

# 4. The table.
mkdir -p "$(dirname "$out")"
{
  echo "# WAN transfers: $size_mib MiB, link $rate each way, RTT $rtts ms"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average before ${load_before}, after $(cut -d' ' -f1-3 /proc/loadavg); $elapsed s in all."
  echo "Client in namespace $NA (10.77.0.1), servers in $NB ($server_ip), joined by wanem (a user-space delay relay,"
  echo "half the RTT each way) with tbf at $rate; TCP buffers 'tuned' (tcp_rmem/wmem max 64 MiB); tcp_no_metrics_save=1."
  if ((${#window[@]})); then window_text="${window[1]} KiB per stream (--client-window)"; else window_text="the .NET default, grown per stream"; fi
  echo "Harness (warm rows): client HTTP/2 receive window $window_text."
  echo "MB/s: 1 MB = 10^6 bytes. up = client to server, down = server to client. % of link: MB/s divided by the"
  echo "tcp row (iperf3, one connection, the same $size_mib MiB) of the same RTT, direction and cold/warm. A cold tcp"
  echo "figure starts once the connection is made; a cold bytestream figure includes connecting (TCP and HTTP/2, 2-3 RTTs)."
  echo
  python3 - "$rows" <<'PY'
import sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1]) if line.strip()]
base = {(r[0], r[2], r[3]): float(r[4]) for r in rows if r[1] == "tcp" and r[4] != "failed"}
print("| RTT | path | direction | cold/warm | MB/s | % of link | measured by |")
print("| ---: | --- | --- | --- | ---: | ---: | --- |")
for rtt, path, direction, mode, rate, how in rows:
    ok = rate != "failed"
    b = base.get((rtt, direction, mode))
    pct = f"{float(rate) / b * 100:.0f} %" if ok and b else "–"
    print(f"| {rtt} ms | {path} | {direction} | {mode} | {float(rate):.1f} | {pct} | {how} |" if ok else
          f"| {rtt} ms | {path} | {direction} | {mode} | failed | – | {how} |")
PY
  echo
  cat "$notes"
  echo
  echo "Logs (iperf3 JSON, harness tables, tool JSON): $logs"
} >"$out.tmp"
mv "$out.tmp" "$out"
cat "$out"
say "results saved to $out"
if ((failures)); then
  say "$failures failure(s); see above"
  exit 1
fi
