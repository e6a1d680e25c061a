using System.Diagnostics;
using System.Security.Cryptography;
using Bytestream.Client;
using Bytestream.Testing;
using Grpc.Core;

namespace Bytestream.Cli;

/// <summary>
/// `bytestream demo`: a resumable round trip against an embedded test server that cuts the
/// transfers on purpose, so the resumes are visible without a server of the user's.
/// </summary>
internal static class DemoCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (!TryParse(args, out var sizeMiB, out var cuts))
        {
            Console.Error.WriteLine("bytestream demo: usage: bytestream demo [--size MiB (1-4096)] [--cuts N (0-100)]");
            return 2;
        }

        var size = sizeMiB * 1024L * 1024;
        var workDir = Directory.CreateTempSubdirectory("bytestream-demo-");
        try
        {
            var source = Path.Combine(workDir.FullName, "source.bin");
            var copy = Path.Combine(workDir.FullName, "downloaded.bin");
            Console.WriteLine($"demo: generating {sizeMiB} MiB of random data in {source}");
            var sourceHash = await GenerateAsync(source, size);
            var blob = new BlobResourceName("demo", sourceHash, size);

            await using var server = await ByteStreamTestServer.StartAsync();
            using var channel = server.CreateChannel();
            var client = new ByteStreamClient(channel);
            Console.WriteLine($"demo: embedded ByteStream test server on {server.Address}");

            // Cut each direction `cuts` times, evenly spread: every cut ends the call with UNAVAILABLE.
            var cutEvery = Math.Max(1, size / (cuts + 1));
            if (cuts > 0)
            {
                server.Faults.CutWrite(cutEvery, StatusCode.Unavailable, times: cuts);
                server.Faults.CutRead(cutEvery, StatusCode.Unavailable, times: cuts);
                Console.WriteLine($"demo: the server will cut the upload and the download every {cutEvery / (1024.0 * 1024):0.#} MiB ({cuts} cuts each)");
            }

            var uploadName = blob.ToUploadResourceName(Guid.NewGuid());
            var watch = Stopwatch.StartNew();
            UploadResult upload;
            await using (var file = File.OpenRead(source))
            {
                upload = await client.UploadAsync(uploadName, file);
            }

            var uploadSeconds = watch.Elapsed.TotalSeconds;
            Console.WriteLine($"upload:   {uploadName}");
            Console.WriteLine($"          {upload.CommittedSize:N0} bytes committed, {upload.BytesSent:N0} bytes sent ({upload.BytesSent - size:N0} re-sent), {upload.Resumes} resumes, {Rate(size, uploadSeconds)}");

            var readName = blob.ToReadResourceName();
            var readCallsBefore = server.Calls.Count(c => c.Method == ByteStreamMethod.Read);
            watch.Restart();
            long downloaded;
            await using (var file = File.Create(copy))
            {
                downloaded = await client.DownloadAsync(readName, file);
            }

            var downloadSeconds = watch.Elapsed.TotalSeconds;
            var readResumes = server.Calls.Count(c => c.Method == ByteStreamMethod.Read) - readCallsBefore - 1;
            Console.WriteLine($"download: {readName}");
            Console.WriteLine($"          {downloaded:N0} bytes, {readResumes} resumes, {Rate(downloaded, downloadSeconds)}");

            var copyHash = await HashFileAsync(copy);
            if (copyHash != sourceHash || downloaded != size)
            {
                Console.Error.WriteLine($"demo: MISMATCH: sent SHA-256 {sourceHash}, received {copyHash} ({downloaded} bytes)");
                return 1;
            }

            Console.WriteLine($"SHA-256 verified: {copyHash} ({size:N0} bytes, identical after {upload.Resumes + readResumes} resumes)");
            return 0;
        }
        finally
        {
            workDir.Delete(recursive: true);
        }
    }

    private static bool TryParse(string[] args, out int sizeMiB, out int cuts)
    {
        sizeMiB = 64;
        cuts = 4;
        for (var i = 0; i < args.Length; i += 2)
        {
            if (i + 1 >= args.Length || !int.TryParse(args[i + 1], out var value))
            {
                return false;
            }

            switch (args[i])
            {
                case "--size" when value is >= 1 and <= 4096:
                    sizeMiB = value;
                    break;
                case "--cuts" when value is >= 0 and <= 100:
                    cuts = value;
                    break;
                default:
                    return false;
            }
        }

        return true;
    }

    private static async Task<string> GenerateAsync(string path, long size)
    {
        var buffer = new byte[1024 * 1024];
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var file = File.Create(path);
        for (long written = 0; written < size; written += buffer.Length)
        {
            var count = (int)Math.Min(buffer.Length, size - written);
            RandomNumberGenerator.Fill(buffer.AsSpan(0, count));
            sha.AppendData(buffer, 0, count);
            await file.WriteAsync(buffer.AsMemory(0, count));
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static async Task<string> HashFileAsync(string path)
    {
        await using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file));
    }

    private static string Rate(long bytes, double seconds) =>
        $"{seconds:0.00} s, {bytes / seconds / 1e6:0.0} MB/s";
}
