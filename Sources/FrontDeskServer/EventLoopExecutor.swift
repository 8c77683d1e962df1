import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// Runs a task's jobs on one NIO event loop: the loop that reads and writes the task's connection.
/// Without it every request hops from the connection's event loop to Swift's global pool and back
/// (two thread wake-ups a request); with it the handler runs where its bytes arrive.
final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: `loop` is immutable and an EventLoop is thread-safe to enqueue onto.
    let loop: any EventLoop

    init(_ loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

/// HTTP/1.1 connections (Hummingbird's `HTTP1Channel`) whose handling prefers its channel's event
/// loop as its task executor. Handlers must not block: the database calls of a request already go
/// to the worker threads (`ServerState.blocking`) or to the booking intake's lanes.
struct EventLoopBoundHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value
    let http1: HTTP1Channel

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        http1.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await withTaskExecutorPreference(EventLoopTaskExecutor(value.channel.eventLoop)) {
            await http1.handle(value: value, logger: logger)
        }
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with each connection handled on its own event loop (`EventLoopBoundHTTP1Channel`).
    static func http1OnEventLoops() -> HTTPServerBuilder {
        .init { responder in EventLoopBoundHTTP1Channel(http1: HTTP1Channel(responder: responder)) }
    }
}
