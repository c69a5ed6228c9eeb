using System.Diagnostics;
using System.Text;
using Daos.Client;
using Daos.Client.Retries;
using Daos.Harness.Network;

namespace Daos.Server.Tests.Hosting;

/// <summary>
/// A <c>daos-net server</c> run as a real child process on loopback TCP, with its configuration and files in a
/// temporary directory that outlives restarts; the test kills it (SIGKILL), stops it (SIGTERM) and starts it again.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);

    private readonly StringBuilder _log = new();
    private Process? _process;
    private TaskCompletionSource<string> _ready = NewReady();

    private ServerProcess(string directory, string systemName, int[] ports)
    {
        Directory = directory;
        SystemName = systemName;
        Ports = ports;
        ConfigPath = Path.Combine(directory, "daos_server.yml");
    }

    public string Directory { get; }

    public string SystemName { get; }

    public IReadOnlyList<int> Ports { get; }

    public string ConfigPath { get; }

    public string Endpoint => $"tcp://127.0.0.1:{Ports[0]}";

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Writes a configuration of <paramref name="engines"/> engines on free loopback ports.</summary>
    public static ServerProcess Create(string systemName, int engines, int targets)
    {
        string directory = Path.Combine(Path.GetTempPath(), "daos-server-test-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(directory);
        int[] ports = LoopbackPorts.Free(engines);
        var yaml = new StringBuilder();
        yaml.AppendLine($"name: {systemName}");
        yaml.AppendLine($"port: {ports[0]}");
        yaml.AppendLine("engines:");
        for (int i = 0; i < engines; i++)
        {
            yaml.AppendLine($"  - targets: {targets}");
            if (i > 0)
            {
                yaml.AppendLine($"    fabric_iface_port: {ports[i]}");
            }

            yaml.AppendLine("    storage:");
            yaml.AppendLine("      - class: ram");
            yaml.AppendLine($"        scm_mount: engine{i}");
            yaml.AppendLine("        scm_size: 256MiB");
            yaml.AppendLine("      - class: file");
            yaml.AppendLine($"        bdev_list: [engine{i}/bdev]");
            yaml.AppendLine("        bdev_size: 1GiB");
        }

        File.WriteAllText(Path.Combine(directory, "daos_server.yml"), yaml.ToString());
        return new ServerProcess(directory, systemName, ports);
    }

    /// <summary>Starts the server process and waits for its ready line.</summary>
    public async Task StartAsync()
    {
        if (_process is not null)
        {
            throw new InvalidOperationException("the server is running");
        }

        _ready = NewReady();
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Directory,
        };
        start.ArgumentList.Add(ToolAssembly());
        start.ArgumentList.Add("server");
        start.ArgumentList.Add("--config");
        start.ArgumentList.Add(ConfigPath);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.Exited += (_, _) => _ready.TrySetException(new InvalidOperationException("the server exited before it was ready:\n" + Log));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        await _ready.Task.WaitAsync(ReadyTimeout);
    }

    /// <summary>SIGKILL: no drain, no checkpoint, no flush of anything the engines did not already make durable.</summary>
    public async Task KillAsync()
    {
        Process process = _process ?? throw new InvalidOperationException("the server is not running");
        process.Kill();
        await process.WaitForExitAsync();
        process.Dispose();
        _process = null;
    }

    /// <summary>SIGTERM, as a service manager stops it; returns the exit code.</summary>
    public async Task<int> TerminateAsync()
    {
        Process process = _process ?? throw new InvalidOperationException("the server is not running");
        using (Process signal = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await signal.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        int code = process.ExitCode;
        process.Dispose();
        _process = null;
        return code;
    }

    public DaosClientOptions ClientOptions() => new()
    {
        SystemName = SystemName,
        ManagementEndpoints = [Endpoint],
        Retry = new RetryPolicy { RetriesMax = 60, BackoffInitial = TimeSpan.FromMilliseconds(20), BackoffMax = TimeSpan.FromMilliseconds(250) },
    };

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await KillAsync();
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still being closed by the dying process; the temporary directory is left for the OS to clean.
        }
    }

    /// <summary>The <c>daos-net</c> assembly, copied beside the tests by the project reference.</summary>
    public static string ToolAssembly()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "daos-net.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("daos-net.dll is not beside the tests", path);
    }

    /// <summary>The dotnet host running these tests (the CLI names it in DOTNET_HOST_PATH), else the one on PATH.</summary>
    public static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private static TaskCompletionSource<string> NewReady() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }

        if (line.StartsWith("daos_server ready", StringComparison.Ordinal))
        {
            _ready.TrySetResult(line);
        }
    }
}
