@testable import FrontDeskServer
import NIOCore
import NIOPosix
import Testing

/// A connection's handling runs on the connection's own event loop (`EventLoopTaskExecutor`), so
/// a request does not hop to Swift's global pool and back.
@Suite struct EventLoopExecutorTests {
    /// A task that prefers a loop's executor runs on that loop, and comes back to it after every
    /// suspension (a sleep, a yield); the caller outside stays off the loop.
    @Test func aTaskPreferringALoopRunsOnItAcrossSuspensions() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let seen = await withTaskExecutorPreference(EventLoopTaskExecutor(loop)) { () async -> [Bool] in
            var seen = [loop.inEventLoop]
            try? await Task.sleep(for: .milliseconds(5))
            seen.append(loop.inEventLoop)
            await Task.yield()
            seen.append(loop.inEventLoop)
            return seen
        }
        #expect(seen == [true, true, true])
        #expect(!loop.inEventLoop)
        try await group.shutdownGracefully()
    }
}
