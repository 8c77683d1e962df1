import Foundation
import FrontDeskDomain
import FrontDeskStore
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// The whole server, for `frontdesk-server serve` and for tests alike.
public enum BookingServer {
    /// The API document the server answers by (`openapi.yaml` in the repository).
    public static var openAPIDocument: String { OpenAPIDocument.yaml + "\n" }

    /// `onListening` gets the address once the socket is bound (with the real port for port 0).
    public static func application(state: ServerState, host: String, port: Int, logger: Logger,
                                   onListening: @escaping @Sendable (String, Int) -> Void) -> some ApplicationProtocol {
        // The routes are added once to a router of their own to read which methods each path takes:
        // the middleware, which answers 405 from that table, must be added before the routes.
        let survey = Router(context: ServerContext.self)
        BookingRoutes(state: state).add(to: survey)
        // HEAD wherever GET is (RFC 9110): the GET's answer without its body.
        let router = Router(context: ServerContext.self, options: .autoGenerateHeadEndpoints)
        router.add(middleware: ProblemMiddleware(logger: logger, metrics: state.metrics, isUnavailable: state.database.isUnavailable,
                                                 routeMethods: RouteMethods(survey.routes)))
        BookingRoutes(state: state).add(to: router)
        var application = Application(
            router: router,
            server: .http1OnEventLoops(),
            configuration: .init(address: .hostname(host, port: port), serverName: "frontdesk-server"),
            onServerRunning: { channel in onListening(host, channel.localAddress?.port ?? port) },
            logger: logger
        )
        application.addServices(FeedPruningService(state: state, logger: logger))
        // The count decides whether lanes beyond the first work and which group size a lane
        // gathers: nothing to decide on SQLite (one lane, one writer), nor with one lane and one
        // size (FRONTDESK_BOOKING_LANES=1 and FRONTDESK_BOOKING_GATHER set).
        let gathering = state.chain.bookingGathering
        if state.chain.bookingLanes > 1 || gathering.atLeast != gathering.atLeastWhileShared {
            application.addServices(WriterCensusService(state: state, logger: logger))
        }
        if let limiter = state.rateLimiter as? SharedTokenRateLimiter {
            application.addServices(TokenCountFlushService(state: state, limiter: limiter, logger: logger))
        }
        if let runner = state.runner { application.addServices(SagaRunnerService(runner: runner)) }
        // A runner without a payment service makes no card refund: the log says those waiting.
        if state.runner != nil && state.gateway == nil { application.addServices(WaitingRefundsService(state: state, logger: logger)) }
        return application
    }

    /// Runs `application` until SIGTERM or SIGINT, then drains: requests in flight finish, event
    /// streams end, the saga runner stops after its step. A listener that stopped reading (a
    /// frozen desk, a dead peer) holds its stream's write for as long as it does, and the drain
    /// waited for it: the server never stopped. After `drainLimit` what is left is cancelled.
    public static func run(_ application: some ApplicationProtocol, logger: Logger, drainLimit: Duration = .seconds(10)) async throws {
        var configuration = ServiceGroupConfiguration(services: [application], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = drainLimit
        configuration.maximumCancellationDuration = .seconds(5)
        try await ServiceGroup(configuration: configuration).run()
    }

    /// Why the server could not listen, in words ("port 8080 of 127.0.0.1 is in use"), for an error
    /// `run` ended with; nil for any other error.
    public static func listeningProblem(_ error: any Error, host: String, port: Int) -> String? {
        if let unknown = error as? SocketAddressError.UnknownHost {
            return "cannot listen on \(host): no address has that name (\(unknown.errorDescription)); give --host an address of this machine, e.g. 127.0.0.1"
        }
        if error is SocketAddressError {
            return "cannot listen on \(host): it is not an address this server can listen on; give --host an address of this machine, e.g. 127.0.0.1"
        }
        guard let error = error as? IOError, error.errnoCode != 0 else { return nil }
        let reason = String(cString: strerror(error.errnoCode))
        return error.errnoCode == EADDRINUSE
            ? "cannot listen on \(host):\(port): the port is in use (another server, or one still stopping); choose another with --port, or --port 0 for a free one"
            : "cannot listen on \(host):\(port): \(reason)"
    }
}

/// The saga runner as a service: started with the server, stopped on SIGTERM after its current
/// step. What it has not finished stays in the file, and the next start carries on.
struct SagaRunnerService: Service {
    let runner: SagaRunner

    func run() async throws {
        runner.start()
        try? await gracefulShutdown()
        runner.stop()
    }
}

/// Counts the other server instances writing to the database (`ChainStorage.countOtherWriters`)
/// at start and every few seconds, so the booking lanes know whether they are alone. A count
/// that fails keeps the last one. Run only where the count decides something: a second lane, or
/// a group size of its own while shared (`BookingIntake.Gathering.atLeastWhileShared`).
struct WriterCensusService: Service {
    let state: ServerState
    let logger: Logger
    static let interval: Duration = .seconds(3)

    func run() async throws {
        let store = state.chain
        try? await cancelWhenGracefulShutdown {
            var last = 0
            // Every 3 s while the database is away: said once, then at most once a minute, and its end.
            var failures = RepeatedProblemLog()
            while !Task.isCancelled {
                do {
                    let count = try await state.blocking { try store.countOtherWriters() }
                    if count != last { logger.info("server instances on the database", metadata: ["others": "\(count)"]) }
                    last = count
                    if case .workingAgain(let failed, let lasted)? = failures.worked(at: ProcessInfo.processInfo.systemUptime) {
                        logger.info("counting the server instances works again",
                                    metadata: ["failures": "\(failed)", "failing_for_s": "\(Int(lasted))"])
                    }
                } catch {
                    if case .failing(_, let unsaid, let failingFor)? = failures.failed("\(error)", at: ProcessInfo.processInfo.systemUptime) {
                        var metadata: Logger.Metadata = ["error": "\(error)"]
                        if unsaid > 0 {
                            metadata["recurred"] = "\(unsaid)"
                            metadata["failing_for_s"] = "\(Int(failingFor))"
                        }
                        logger.warning("counting the server instances failed", metadata: metadata)
                    }
                }
                try await Task.sleep(for: Self.interval)
            }
        }
    }
}

/// Keeps the change feed to its retention (`--feed-days`): at start and then every hour, the
/// changes older than that go, each hotel's newest always stays (its number carries on). Failed
/// logins older than the login throttle's window go at the same time.
struct FeedPruningService: Service {
    let state: ServerState
    let logger: Logger
    static let interval: Duration = .seconds(3600)

    func run() async throws {
        let (store, retention, clock) = (state.chain, state.feedRetention, state.clock)
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let dropped = try await state.blocking { try store.pruneFeed(before: clock().addingTimeInterval(-retention)) }
                    if dropped > 0 { logger.info("change feed pruned", metadata: ["dropped": "\(dropped)"]) }
                } catch {
                    logger.error("change feed pruning failed", metadata: ["error": "\(error)"])
                }
                do {
                    // Failed logins older than the throttle's window hold nothing back.
                    let dropped = try await state.blocking { try state.failedLogins.prune() }
                    if dropped > 0 { logger.info("login failures pruned", metadata: ["dropped": "\(dropped)"]) }
                } catch {
                    logger.error("login failure pruning failed", metadata: ["error": "\(error)"])
                }
                try await Task.sleep(for: Self.interval)
            }
        }
    }
}

/// Adds this instance's per-token request counts to the database's shared count every 0.2 s and
/// reads back the totals (`SharedTokenRateLimiter`, PostgreSQL only).
struct TokenCountFlushService: Service {
    let state: ServerState
    let limiter: SharedTokenRateLimiter
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            var failing = false
            while !Task.isCancelled {
                do {
                    // Only a flush that asked the database says it answers again (one with nothing
                    // to send asks nothing, and said "shared again" while it was still away).
                    let asked = try await state.blocking { try limiter.flush() }
                    if failing && asked {
                        logger.info("token request counts shared again")
                        failing = false
                    }
                } catch {
                    // Once per outage: meanwhile each instance limits tokens on its own counts.
                    if !failing { logger.error("token request counts not shared", metadata: ["error": "\(error)"]) }
                    failing = true
                }
                try await Task.sleep(for: SharedTokenRateLimiter.flushInterval)
            }
        }
    }
}
