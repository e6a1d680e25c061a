using System.Text;

namespace Bytestream.Client.Benchmarks;

/// <summary>
/// Compressible payload for the reapi suite: deterministic text that looks like C# and Java source (files of
/// usings or imports, classes, fields, methods, comments, literals), written once per size to the temp folder.
/// Each file draws its identifiers from a small set of its own, as real files do, so the text is repetitive
/// the way source is, not the way one repeated line is.
/// </summary>
internal static class SourceText
{
    // Bump when the generator changes, so an old file of the same size is not reused.
    private const int Version = 1;

    private static readonly string[] Words =
    [
        "account", "action", "address", "agent", "archive", "array", "batch", "blob", "block", "buffer", "builder", "bundle",
        "cache", "call", "channel", "chunk", "client", "code", "column", "command", "commit", "config", "connection", "content",
        "context", "count", "cursor", "data", "date", "delta", "digest", "directory", "document", "entry", "error", "event",
        "factory", "field", "file", "filter", "flag", "format", "frame", "graph", "group", "handle", "handler", "hash",
        "header", "index", "input", "instance", "item", "job", "key", "label", "layer", "length", "level", "limit",
        "line", "list", "loader", "lock", "log", "manager", "map", "message", "metadata", "method", "mode", "model",
        "module", "name", "node", "offset", "option", "order", "output", "owner", "package", "page", "parent", "parser",
        "path", "pattern", "payload", "policy", "pool", "port", "position", "provider", "queue", "range", "reader", "record",
        "reference", "region", "registry", "request", "resource", "response", "result", "retry", "root", "route", "rule", "schema",
        "scope", "segment", "service", "session", "setting", "shard", "size", "snapshot", "source", "span", "state", "status",
        "step", "store", "stream", "string", "table", "target", "task", "thread", "timeout", "token", "tracker", "transaction",
        "tree", "type", "unit", "update", "user", "value", "version", "view", "window", "worker", "writer", "zone",
    ];

    private static readonly string[] Verbs =
    [
        "add", "apply", "build", "check", "clear", "close", "compute", "copy", "create", "decode", "delete", "encode",
        "ensure", "find", "flush", "get", "handle", "load", "merge", "open", "parse", "read", "register", "remove",
        "reset", "resolve", "run", "save", "send", "set", "split", "start", "stop", "try", "update", "validate", "write",
    ];

    private static readonly string[] CSharpUsings =
    [
        "System", "System.Buffers", "System.Collections.Generic", "System.Diagnostics", "System.Globalization", "System.IO",
        "System.Linq", "System.Net.Http", "System.Text", "System.Threading", "System.Threading.Tasks", "Microsoft.Extensions.Logging",
        "Grpc.Core", "Google.Protobuf",
    ];

    private static readonly string[] JavaImports =
    [
        "java.io.IOException", "java.io.InputStream", "java.nio.ByteBuffer", "java.util.ArrayList", "java.util.HashMap",
        "java.util.List", "java.util.Map", "java.util.Objects", "java.util.Optional", "java.util.concurrent.CompletableFuture",
        "java.util.concurrent.TimeUnit", "com.google.common.collect.ImmutableList", "io.grpc.Status", "io.grpc.stub.StreamObserver",
    ];

    private static readonly string[] CSharpTypes = ["int", "long", "string", "bool", "byte[]", "double", "TimeSpan", "CancellationToken"];

    private static readonly string[] JavaTypes = ["int", "long", "String", "boolean", "byte[]", "double", "Duration", "Object"];

    public static async Task<string> GetAsync(long size)
    {
        var path = Path.Combine(Path.GetTempPath(), $"bytestream-bench-source-v{Version}-{size}.txt");
        if (File.Exists(path) && new FileInfo(path).Length == size)
        {
            return path;
        }

        var random = new Random(20240611);
        var text = new StringBuilder(256 * 1024);
        var bytes = new byte[1024 * 1024];
        await using (var file = File.Create(path + ".tmp"))
        {
            long written = 0;
            var fileNumber = 0;
            while (written < size)
            {
                text.Clear();
                WriteFile(text, random, fileNumber++);
                var count = Encoding.UTF8.GetByteCount(text.ToString());
                if (bytes.Length < count)
                {
                    bytes = new byte[count];
                }

                Encoding.UTF8.GetBytes(text.ToString(), bytes);
                var take = (int)Math.Min(count, size - written);
                await file.WriteAsync(bytes.AsMemory(0, take));
                written += take;
            }
        }

        File.Move(path + ".tmp", path, overwrite: true);
        return path;
    }

    /// <summary>One source file: a header, imports or usings, a package or namespace and one to three classes.</summary>
    private static void WriteFile(StringBuilder text, Random random, int fileNumber)
    {
        var java = random.Next(3) == 0;
        var vocabulary = new string[12 + random.Next(12)];
        for (var i = 0; i < vocabulary.Length; i++)
        {
            vocabulary[i] = Words[random.Next(Words.Length)];
        }

        var module = Pascal(Pick(random, vocabulary)) + Pascal(Pick(random, vocabulary));
        text.Append("// Copyright ").Append(2015 + (fileNumber % 10)).Append(" The ").Append(module).Append(" Authors. All rights reserved.\n");
        text.Append("// Licensed under the Apache License, Version 2.0. See LICENSE in the project root for license information.\n\n");
        if (java)
        {
            text.Append("package com.example.").Append(Pick(random, vocabulary)).Append('.').Append(Pick(random, vocabulary)).Append(";\n\n");
            foreach (var import in PickSome(random, JavaImports, 4 + random.Next(6)))
            {
                text.Append("import ").Append(import).Append(";\n");
            }
        }
        else
        {
            foreach (var import in PickSome(random, CSharpUsings, 3 + random.Next(6)))
            {
                text.Append("using ").Append(import).Append(";\n");
            }

            text.Append("\nnamespace ").Append(module).Append('.').Append(Pascal(Pick(random, vocabulary))).Append(";\n");
        }

        var classes = 1 + random.Next(3);
        for (var c = 0; c < classes; c++)
        {
            WriteClass(text, random, vocabulary, java);
        }
    }

    private static void WriteClass(StringBuilder text, Random random, string[] vocabulary, bool java)
    {
        var name = Pascal(Pick(random, vocabulary)) + Pascal(Pick(random, vocabulary));
        var types = java ? JavaTypes : CSharpTypes;
        text.Append("\n/// <summary>\n/// ").Append(Sentence(random, vocabulary, 8 + random.Next(16))).Append("\n/// </summary>\n");
        text.Append(java ? "public final class " : "public sealed class ").Append(name).Append(java ? " {\n" : "\n{\n");
        var fields = new List<(string Type, string Name)>();
        for (var f = 3 + random.Next(6); f > 0; f--)
        {
            var field = (Type: types[random.Next(types.Length)], Name: Camel(random, vocabulary));
            fields.Add(field);
            text.Append("    private ").Append(java ? "final " : "readonly ").Append(field.Type).Append(' ')
                .Append(java ? field.Name : "_" + field.Name).Append(";\n");
        }

        for (var m = 4 + random.Next(10); m > 0; m--)
        {
            text.Append('\n');
            WriteMethod(text, random, vocabulary, fields, java);
        }

        text.Append("}\n");
    }

    private static void WriteMethod(StringBuilder text, Random random, string[] vocabulary, List<(string Type, string Name)> fields, bool java)
    {
        var types = java ? JavaTypes : CSharpTypes;
        var verb = Verbs[random.Next(Verbs.Length)];
        var name = java ? verb + Pascal(Pick(random, vocabulary)) : Pascal(verb) + Pascal(Pick(random, vocabulary)) + (random.Next(2) == 0 ? "Async" : "");
        var returns = types[random.Next(types.Length)];
        if (random.Next(3) == 0)
        {
            text.Append("    // ").Append(Sentence(random, vocabulary, 6 + random.Next(12))).Append('\n');
        }

        text.Append("    public ").Append(returns).Append(' ').Append(name).Append('(');
        var parameters = new List<string>();
        for (var p = random.Next(4); p > 0; p--)
        {
            var parameter = Camel(random, vocabulary);
            parameters.Add(parameter);
            text.Append(parameters.Count > 1 ? ", " : "").Append(types[random.Next(types.Length)]).Append(' ').Append(parameter);
        }

        text.Append(java ? ") throws IOException {\n" : ")\n    {\n");
        var locals = new List<string>(parameters);
        foreach (var field in fields)
        {
            locals.Add(java ? "this." + field.Name : "_" + field.Name);
        }

        for (var s = 2 + random.Next(12); s > 0; s--)
        {
            WriteStatement(text, random, vocabulary, locals, java, "        ", depth: 0);
        }

        text.Append("        return ").Append(Expression(random, vocabulary, locals)).Append(";\n    }\n");
    }

    private static void WriteStatement(StringBuilder text, Random random, string[] vocabulary, List<string> locals, bool java, string indent, int depth)
    {
        switch (random.Next(depth < 2 ? 9 : 6))
        {
            case 0:
            case 1:
            {
                var local = Camel(random, vocabulary);
                text.Append(indent).Append(java ? "final var " : "var ").Append(local).Append(" = ").Append(Expression(random, vocabulary, locals)).Append(";\n");
                locals.Add(local);
                break;
            }

            case 2:
                text.Append(indent).Append(Pick(random, locals)).Append(" = ").Append(Expression(random, vocabulary, locals)).Append(";\n");
                break;
            case 3:
                text.Append(indent).Append(Call(random, vocabulary, locals)).Append(";\n");
                break;
            case 4:
                text.Append(indent).Append("// ").Append(Sentence(random, vocabulary, 4 + random.Next(10))).Append('\n');
                break;
            case 5:
                text.Append(indent).Append(java ? "LOG.debug(\"" : "_logger.LogDebug(\"").Append(Sentence(random, vocabulary, 3 + random.Next(6)))
                    .Append(java ? " {}\", " : " {Value}\", ").Append(Pick(random, locals)).Append(");\n");
                break;
            case 6:
            case 7:
            {
                text.Append(indent).Append("if (").Append(Pick(random, locals)).Append(random.Next(2) == 0 ? " == null" : " > " + random.Next(1, 4096))
                    .Append(java ? ") {\n" : ")\n" + indent + "{\n");
                for (var s = 1 + random.Next(3); s > 0; s--)
                {
                    WriteStatement(text, random, vocabulary, locals, java, indent + "    ", depth + 1);
                }

                text.Append(indent).Append("}\n");
                break;
            }

            default:
            {
                var collection = Pick(random, locals);
                text.Append(indent).Append(java ? "for (int i = 0; i < " + collection + ".size(); i++) {\n" : "for (var i = 0; i < " + collection + ".Count; i++)\n" + indent + "{\n");
                for (var s = 1 + random.Next(3); s > 0; s--)
                {
                    WriteStatement(text, random, vocabulary, locals, java, indent + "    ", depth + 1);
                }

                text.Append(indent).Append("}\n");
                break;
            }
        }
    }

    private static string Expression(Random random, string[] vocabulary, List<string> locals) => random.Next(6) switch
    {
        0 => random.Next(100000).ToString(System.Globalization.CultureInfo.InvariantCulture),
        1 => "\"" + Sentence(random, vocabulary, 1 + random.Next(4)) + "\"",
        2 => Pick(random, locals) + " + " + Pick(random, locals),
        _ => Call(random, vocabulary, locals),
    };

    private static string Call(Random random, string[] vocabulary, List<string> locals)
    {
        var call = new StringBuilder(Pick(random, locals)).Append('.').Append(Pascal(Verbs[random.Next(Verbs.Length)])).Append(Pascal(Pick(random, vocabulary))).Append('(');
        for (var a = random.Next(3); a > 0; a--)
        {
            call.Append(Pick(random, locals)).Append(a > 1 ? ", " : "");
        }

        return call.Append(')').ToString();
    }

    private static string Sentence(Random random, string[] vocabulary, int words)
    {
        var sentence = new StringBuilder();
        for (var w = 0; w < words; w++)
        {
            // Half the words from the file's own set, half from the whole language: comments wander.
            sentence.Append(w == 0 ? "" : " ").Append(random.Next(2) == 0 ? Pick(random, vocabulary) : Words[random.Next(Words.Length)]);
        }

        return sentence.ToString();
    }

    private static string Camel(Random random, string[] vocabulary) => Pick(random, vocabulary) + Pascal(Pick(random, vocabulary));

    private static string Pascal(string word) => char.ToUpperInvariant(word[0]) + word[1..];

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private static IEnumerable<string> PickSome(Random random, string[] items, int count) =>
        items.OrderBy(_ => random.Next()).Take(Math.Min(count, items.Length)).Order(StringComparer.Ordinal);
}
