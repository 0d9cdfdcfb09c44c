import ArgumentParser
import Dispatch
import Foundation
import Logging
import Spool
import SpoolOutbox
import SpoolWorker
import Synchronization

/// `spoold`: the Spool worker daemon.
@main
struct Spoold: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spoold",
        abstract: "Runs Spool jobs: leases them from Redis, runs their handlers, acknowledges them.",
        discussion: """
        Reads jobs/spool.yaml (or --config). Environment overrides: SPOOL_REDIS_URL, SPOOL_PREFIX, \
        SPOOL_LOG_FORMAT (text|json), SPOOL_LOG_LEVEL. SIGTERM/SIGINT drain gracefully (a second signal \
        hands in-flight jobs back at once). Speaks sd_notify when NOTIFY_SOCKET is set.
        """
    )

    @Option(name: .long, help: "The configuration file.")
    var config: String = ProcessInfo.processInfo.environment["SPOOL_CONFIG"] ?? "jobs/spool.yaml"

    @Flag(name: .long, help: "Check the configuration and exit.")
    var check = false

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        let environment = ProcessInfo.processInfo.environment
        let settings: DaemonConfiguration
        do {
            settings = try DaemonConfiguration.load(path: config, environment: environment)
        } catch {
            FileHandle.standardError.write(Data("spoold: bad configuration: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let level = Logger.Level(rawValue: settings.logLevel) ?? .info
        let json = settings.logFormat == .json
        LoggingSystem.bootstrap { label in
            var handler = LineLogHandler(label: label, json: json)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "spoold")
        let notifier = SystemdNotifier(environment: environment)
        let client: SpoolClient
        do {
            client = SpoolClient(configuration: try RedisConfiguration(url: settings.redisURL, clientName: "spoold"),
                                 prefix: settings.prefix, poolSize: 4)
        } catch {
            FileHandle.standardError.write(Data("spoold: \(error)\n".utf8))
            throw ExitCode(2)
        }
        var registry = HandlerRegistry()
        do {
            let warnings = try BuiltinHandlers.register(into: &registry, settings: settings, configPath: config, environment: environment, client: client)
            for warning in warnings { logger.warning("\(warning)") }
        } catch {
            FileHandle.standardError.write(Data("spoold: bad configuration: \(error)\n".utf8))
            throw ExitCode(2)
        }
        if check {
            print("configuration OK: \(settings.worker.queueNames.count) queue(s), \(settings.worker.totalConcurrency) worker thread(s), kinds: \(registry.kinds.joined(separator: ", "))")
            return
        }
        let worker = Worker(client: client, registry: registry, configuration: settings.worker, logger: logger)

        let signals = SignalWatcher()
        // Connect (retrying while Redis is down: logged once) before telling systemd we are ready.
        var loggedWaiting = false
        while true {
            do {
                try worker.start()
                break
            } catch {
                if !loggedWaiting {
                    logger.error("waiting for Redis at \(settings.redisURL): \(error)")
                    notifier.send("STATUS=waiting for Redis")
                    loggedWaiting = true
                }
                if signals.count > 0 { throw ExitCode(0) }
                Thread.sleep(forTimeInterval: 1)
            }
        }
        for schedule in settings.cronSchedules {
            do {
                _ = try client.cronRegistry.upsert(schedule)
            } catch {
                logger.error("cron schedule \(schedule.name) from \(config) not stored: \(error)")
            }
        }
        var relay: OutboxRelay?
        if let databaseURL = settings.outboxDatabaseURL {
            do {
                let outbox = try OutboxConfiguration(schema: settings.outboxSchema, table: settings.outboxTable)
                let relayConfiguration = OutboxRelayConfiguration(outbox: outbox, batchSize: settings.outboxBatchSize,
                                                                  pollInterval: settings.outboxPollInterval, retention: settings.outboxRetention)
                relay = try OutboxRelay(databaseURL: databaseURL, client: client, configuration: relayConfiguration,
                                        logger: Logger(label: "spoold.outbox"))
                relay?.start()
                logger.info("outbox relay started for \(outbox.qualifiedName)")
            } catch {
                logger.error("outbox relay not started: \(error)")
                worker.shutdown(grace: .zero)
                throw ExitCode(2)
            }
        }
        let relayForMetrics = relay
        var metricsServer: MetricsServer?
        if let listen = settings.metricsListen {
            do {
                metricsServer = try MetricsServer(listen: listen, worker: worker, client: client, logger: logger) {
                    guard let metrics = relayForMetrics?.metrics else { return "" }
                    var out = "# HELP spool_outbox_rows_total Outbox rows handled by this daemon's relay, by result.\n# TYPE spool_outbox_rows_total counter\n"
                    out += "spool_outbox_rows_total{result=\"published\"} \(metrics.published)\n"
                    out += "spool_outbox_rows_total{result=\"already_in_redis\"} \(metrics.alreadyInRedis)\n"
                    out += "spool_outbox_rows_total{result=\"failed\"} \(metrics.failed)\n"
                    let lag = metrics.lastLag?.inSeconds ?? 0
                    out += "# HELP spool_outbox_lag_seconds Commit-to-publish time of the latest relayed batch.\n# TYPE spool_outbox_lag_seconds gauge\nspool_outbox_lag_seconds \(lag)\n"
                    return out
                }
            } catch {
                logger.error("\(error)")
                worker.shutdown(grace: .zero)
                throw ExitCode(2)
            }
        }
        notifier.send("READY=1\nSTATUS=serving \(settings.worker.queueNames.joined(separator: ", ")) with \(settings.worker.totalConcurrency) threads")
        if let interval = SystemdNotifier.watchdogInterval(environment: environment) {
            let pingThread = Thread {
                while !worker.isStopping {
                    if worker.isHealthy { notifier.send("WATCHDOG=1") }
                    Thread.sleep(forTimeInterval: max(0.01, interval.inSeconds / 2))
                }
            }
            pingThread.start()
        }
        signals.waitForFirst()
        logger.notice("stop requested: draining in-flight jobs (grace \(settings.worker.shutdownGrace); signal again to hand them back now)")
        notifier.send("STOPPING=1\nSTATUS=draining")
        let finished = DispatchSemaphore(value: 0)
        let drainer = Thread {
            relayForMetrics?.stop()
            worker.shutdown()
            finished.signal()
        }
        drainer.start()
        signals.onSecond {
            logger.notice("second stop request: handing in-flight jobs back now")
            worker.shutdown(grace: .zero)
        }
        finished.wait()
        _ = metricsServer
    }
}

/// Catches SIGTERM and SIGINT and counts them.
final class SignalWatcher: Sendable {
    private let received = Counter()
    private let first = DispatchSemaphore(value: 0)
    private let secondHandler = HandlerBox()
    // Kept alive for the process lifetime; only touched in init.
    nonisolated(unsafe) private let sources: [DispatchSourceSignal]
    private let queue = DispatchQueue(label: "spoold.signals")

    init() {
        var made: [DispatchSourceSignal] = []
        for signalNumber in [SIGTERM, SIGINT] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
            let received = self.received
            let first = self.first
            let secondHandler = self.secondHandler
            source.setEventHandler {
                let count = received.increment()
                if count == 1 { first.signal() }
                if count == 2 { secondHandler.current?() }
            }
            made.append(source)
        }
        sources = made
        for source in sources { source.resume() }
    }

    var count: Int { received.current }

    final class Counter: Sendable {
        let value = Atomic<Int>(0)
        func increment() -> Int { value.add(1, ordering: .sequentiallyConsistent).newValue }
        var current: Int { value.load(ordering: .sequentiallyConsistent) }
    }

    final class HandlerBox: Sendable {
        let handler = Mutex<(@Sendable () -> Void)?>(nil)
        func set(_ body: @escaping @Sendable () -> Void) { handler.withLock { $0 = body } }
        var current: (@Sendable () -> Void)? { handler.withLock { $0 } }
    }

    func waitForFirst() { first.wait() }

    /// Runs `handler` on a second signal (at once if it already came).
    func onSecond(_ handler: @escaping @Sendable () -> Void) {
        secondHandler.set(handler)
        if count >= 2 { handler() }
    }
}
