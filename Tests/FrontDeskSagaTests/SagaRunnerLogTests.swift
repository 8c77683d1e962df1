import Foundation
import FrontDeskStore
import FrontDeskTestSupport
import GRDB
import Synchronization
import Testing

/// The runner's errors go where it is told (the desk: its log file), not onto stderr under a screen.
@Suite struct SagaRunnerLogTests {
    @Test func aFailingStepIsHandedToTheLogHook() throws {
        let desk = try StoreFixture()
        // Break the file under the runner: its next step cannot read its messages.
        try DatabaseQueue(path: desk.store.path).write { db in try db.execute(sql: "DROP TABLE saga_message") }
        let lines = Mutex<[String]>([])
        let arrived = DispatchSemaphore(value: 0)
        let runner = SagaRunner(store: desk.store, gateway: nil, pollInterval: 0.01) { line in
            lines.withLock { $0.append(line) }
            arrived.signal()
        }

        runner.start()
        let logged = arrived.wait(timeout: .now() + 10)
        runner.stop()

        #expect(logged == .success)
        #expect(lines.withLock { $0.first?.hasPrefix("saga runner: ") } == true)
        #expect(lines.withLock { $0.first?.contains("saga_message") } == true)
    }
}
