using System.Diagnostics;
using System.Globalization;
using System.Text;
using Daos.Client;
using Daos.Client.Retries;
using Daos.Harness.Network;
using Daos.Server.Configuration;
using Daos.Server.Hosting;

namespace Daos.Bench.Cluster;

/// <summary>
/// Engines on loopback TCP, hosted by a <see cref="DaosServer"/> from a generated <c>daos_server.yml</c>: in a child
/// process (<see cref="ServerChild"/>, the default, so the engines and the clients share no runtime, thread pool or
/// garbage collector) or in this process. Clients always connect over TCP to the management port.
/// </summary>
internal sealed class TcpClusterHost : IClusterHost
{
    private const string SystemName = "daos_bench";
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(120);

    private readonly string _endpoint;
    private readonly Process? _child;
    private readonly DaosServer? _server;
    private readonly StringBuilder _childLog;

    private TcpClusterHost(string endpoint, Process? child, DaosServer? server, StringBuilder childLog, string description)
    {
        _endpoint = endpoint;
        _child = child;
        _server = server;
        _childLog = childLog;
        Description = description;
    }

    public string Name => "tcp";

    public string Description { get; }

    public static async ValueTask<TcpClusterHost> StartAsync(int engines, int targets, string directory, bool separateProcess, CancellationToken ct)
    {
        Directory.CreateDirectory(directory);
        int[] ports = LoopbackPorts.Free(engines);
        string configPath = Path.Combine(directory, "daos_server.yml");
        await File.WriteAllTextAsync(configPath, ConfigYaml(engines, targets, ports), ct);
        string endpoint = string.Create(CultureInfo.InvariantCulture, $"tcp://127.0.0.1:{ports[0]}");
        string shape = string.Create(CultureInfo.InvariantCulture, $"{engines} engines x {targets} targets on loopback TCP ({endpoint}), files in {directory}");
        var log = new StringBuilder();
        if (!separateProcess)
        {
            DaosServer server = await DaosServer.StartAsync(new DaosServerOptions { Config = ServerConfigLoader.Load(configPath) }, ct);
            return new TcpClusterHost(endpoint, null, server, log, "DaosServer in this process, " + shape);
        }

        Process child = StartChild(configPath, log, out Task<string> ready);
        try
        {
            await ready.WaitAsync(ReadyTimeout, ct);
        }
        catch
        {
            StopChild(child);
            throw;
        }

        return new TcpClusterHost(endpoint, child, null, log, string.Create(CultureInfo.InvariantCulture, $"DaosServer in child process {child.Id}, ") + shape);
    }

    public ValueTask<DaosClient> ConnectClientAsync(CancellationToken ct) => DaosClient.ConnectAsync(new DaosClientOptions
    {
        SystemName = SystemName,
        ManagementEndpoints = [_endpoint],
        Retry = new RetryPolicy { RetriesMax = 40, BackoffInitial = TimeSpan.FromMilliseconds(10), BackoffMax = TimeSpan.FromMilliseconds(250) },
    }, ct);

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.StopAsync();
        }

        if (_child is not null)
        {
            // Closing its standard input is the child's signal to stop its engines in order and exit.
            _child.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await _child.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                StopChild(_child);
            }

            int code = _child.ExitCode;
            _child.Dispose();
            if (code != 0)
            {
                throw new InvalidOperationException($"the server process exited with code {code}:\n{ChildLog()}");
            }
        }
    }

    private string ChildLog()
    {
        lock (_childLog)
        {
            return _childLog.ToString();
        }
    }

    /// <summary>This same program, run as <c>cluster-server --config PATH</c>, under the same host (dotnet or the apphost).</summary>
    private static Process StartChild(string configPath, StringBuilder log, out Task<string> ready)
    {
        string self = typeof(TcpClusterHost).Assembly.Location;
        string host = Environment.ProcessPath ?? "dotnet";
        var start = new ProcessStartInfo(host)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(self);
        }
        else if (!string.Equals(Path.GetFileNameWithoutExtension(host), Path.GetFileNameWithoutExtension(self), StringComparison.Ordinal))
        {
            // Hosted by something else (a test runner): run the assembly with the dotnet host beside the runtime.
            start.FileName = DotnetHost();
            start.ArgumentList.Add(self);
        }

        start.ArgumentList.Add(ServerChild.ModeName);
        start.ArgumentList.Add("--config");
        start.ArgumentList.Add(configPath);
        var readySource = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var child = new Process { StartInfo = start, EnableRaisingEvents = true };
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (log)
            {
                log.AppendLine(line);
            }

            if (line.StartsWith(ServerChild.ReadyLine, StringComparison.Ordinal))
            {
                readySource.TrySetResult(line);
            }
        }

        child.OutputDataReceived += (_, e) => OnLine(e.Data);
        child.ErrorDataReceived += (_, e) => OnLine(e.Data);
        child.Exited += (_, _) =>
        {
            string text;
            lock (log)
            {
                text = log.ToString();
            }

            readySource.TrySetException(new InvalidOperationException("the server process exited before it was ready:\n" + text));
        };
        child.Start();
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        ready = readySource.Task;
        return child;
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path && File.Exists(path) ? path : "dotnet";

    private static void StopChild(Process child)
    {
        try
        {
            child.Kill();
            child.WaitForExit();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private static string ConfigYaml(int engines, int targets, int[] ports)
    {
        var yaml = new StringBuilder();
        yaml.AppendLine(CultureInfo.InvariantCulture, $"name: {SystemName}");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"port: {ports[0]}");
        yaml.AppendLine("transport_config:");
        yaml.AppendLine("  allow_insecure: true");
        yaml.AppendLine("engines:");
        for (int i = 0; i < engines; i++)
        {
            yaml.AppendLine(CultureInfo.InvariantCulture, $"  - targets: {targets}");
            if (i > 0)
            {
                yaml.AppendLine(CultureInfo.InvariantCulture, $"    fabric_iface_port: {ports[i]}");
            }

            yaml.AppendLine("    storage:");
            yaml.AppendLine("      - class: ram");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"        scm_mount: engine{i}");
            yaml.AppendLine("        scm_size: 4GiB");
            yaml.AppendLine("      - class: file");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"        bdev_list: [engine{i}/bdev]");
            yaml.AppendLine("        bdev_size: 64GiB");
        }

        return yaml.ToString();
    }
}
