import Foundation
import FrontDeskDomain
import FrontDeskHTTP
import FrontDeskStore
import Synchronization

/// A connected desk's side of the sync protocol (docs/sync-protocol.md): takes the replica,
/// pushes the outbox in order and in batches, pulls the server's changes. The store keeps the
/// replica, the outbox and the conflicts; this type only moves them over the wire.
public final class DeskSync {
    public let store: FrontDeskStore
    public let client: SyncClient
    /// How many queued operations go in one push request (1 to `SyncWire.maximumPushOperations`).
    public var pushBatchSize = SyncWire.maximumPushOperations

    public init(store: FrontDeskStore, client: SyncClient) {
        self.store = store
        self.client = client
    }

    // MARK: Connect

    public struct ReplicaReport: Sendable, Equatable {
        public var hotelName: String
        public var bookings: Int
        public var cursor: Int64
        /// Codes of bookings the server no longer had (its data went back to an older copy), sent
        /// to it again or made conflicts (`FrontDeskStore.sendAgainWhatTheServerLost`).
        public var resent: [String] = []
        /// Codes of bookings the server has in an older version than this desk took from it (it
        /// lost changes), now as the server has them (`FrontDeskStore.takeReplica`).
        public var changesLost: [String] = []
    }

    /// Takes the hotel's whole replica into the store in one transaction, page by page
    /// (`progress(done, total)` after each), then pulls what changed after the first page's
    /// cursor. A desk stopped half-way keeps no replica. A bulk load that met a key twice (the
    /// server's data moved between its pages) is taken again, booking by booking.
    public func takeReplica(progress: (Int, Int) -> Void = { _, _ in }) throws -> ReplicaReport {
        var report: ReplicaReport
        do {
            report = try fill(bulk: true, progress: progress)
        } catch is ReplicaBulkCollision {
            report = try fill(bulk: false, progress: progress)
        }
        let pulled = try pull()
        try store.recordSyncAttempt(error: nil)
        report.cursor = pulled.cursor
        return report
    }

    private func fill(bulk: Bool, progress: (Int, Int) -> Void) throws -> ReplicaReport {
        let first = try client.replicaPage(after: nil)
        guard let hotel = first.hotel, hotel.hotelId.lowercased() == client.hotelId else {
            throw SyncFailure(.badServer, "\(client.server) sent a replica without the hotel \(client.hotelId)")
        }
        // Each next page is asked for and read on another thread while this one writes the page
        // before it: the server, the network helper and the desk's file work at the same time.
        var ahead = first.next.map { PageAhead(client, after: $0) }
        var resent: [String] = [], changesLost: [String] = []
        let done = try store.takeReplica(first, server: client.server, bulk: bulk, next: {
            guard let fetching = ahead else { return nil }
            let read = try fetching.page()
            ahead = read.page.next.map { PageAhead(client, after: $0) }
            return read
        }, written: { done in progress(done, max(first.totalBookings, done)) }, resent: { resent = $0 }, changesLost: { changesLost = $0 })
        return ReplicaReport(hotelName: hotel.name, bookings: done, cursor: 0, resent: resent, changesLost: changesLost)
    }

    /// A desk connected again to the server its replica came from: pulls what changed since
    /// (the outbox stays for the next push); a replica older than the server keeps changes for
    /// is taken again.
    public func catchUp(progress: (Int, Int) -> Void = { _, _ in }) throws -> ReplicaReport {
        do {
            let pulled = try pull()
            try store.recordSyncAttempt(error: nil)
            return ReplicaReport(hotelName: try store.hotel()?.name ?? "", bookings: try store.findBookings(BookingFilter(limit: 1)).total,
                                 cursor: pulled.cursor)
        } catch let failure as SyncFailure where failure.kind == .replicaTooOld {
            return try takeReplica(progress: progress)
        }
    }

    // MARK: Push

    /// A confirmation code the server changed (the desk's was another booking's).
    public struct CodeChange: Sendable, Equatable {
        public var bookingId: String
        public var old: String
        public var new: String
    }

    public struct PushReport: Sendable {
        public var pushed = 0
        public var accepted = 0
        public var conflicts = 0
        public var rejected = 0
        public var retry = 0
        /// Refused, but nothing to settle: operations of a booking made and cancelled here that
        /// the server never had (`FrontDeskStore.settle`).
        public var refusedCancelledHere = 0
        public var codeChanges: [CodeChange] = []
        /// Outcomes that were not accepted, for the receptionist.
        public var refused: [SyncOutcome] = []
        /// Why pushing stopped before the outbox was empty (offline, credential, server).
        public var stopped: SyncFailure?

        public init() {}
    }

    /// Pushes the queued operations in order, `pushBatchSize` at a time,
    /// settling each answer in the store; stops at the first call that gets no answer (the
    /// operations stay queued, in order) and when the server asks for a retry.
    public func push() throws -> PushReport {
        var report = PushReport()
        while true {
            let operations = try store.queuedOperations(limit: min(max(1, pushBatchSize), SyncWire.maximumPushOperations))
            if operations.isEmpty { break }
            let answer: SyncPushResult
            do {
                answer = try client.push(operations)
            } catch {
                report.stopped = error
                break
            }
            report.codeChanges += codeChanges(operations, answer.results)
            let nothingToSettle = try store.settle(answer.results)
            report.pushed += operations.count
            for outcome in answer.results {
                // Refused, but nobody need act (a booking cancelled here since): no conflict to name.
                if nothingToSettle.contains(outcome.operationId) {
                    report.refusedCancelledHere += 1
                    continue
                }
                switch outcome.outcome {
                case .accepted: report.accepted += 1
                case .conflict: report.conflicts += 1; report.refused.append(outcome)
                case .rejected: report.rejected += 1; report.refused.append(outcome)
                case .retry: report.retry += 1
                }
            }
            if answer.results.contains(where: { $0.outcome == .retry }) {
                report.stopped = SyncFailure(.offline, "\(client.server) is busy and asked for \(report.retry) operation\(report.retry == 1 ? "" : "s") to be pushed again later")
                break
            }
        }
        return report
    }

    /// One operation made on a connected desk, pushed at once (before anything is written
    /// locally). Accepted: the server's booking is written into the replica. A failure to reach
    /// the server is thrown (`offline`): the caller then writes locally and queues the operation.
    public func pushNow(_ operation: SyncOperation) throws -> SyncOutcome {
        let answer = try client.push([operation])
        guard let outcome = answer.results.first else {
            throw SyncFailure(.badServer, "\(client.server) answered a push with no outcome")
        }
        try keepAnswer(outcome)
        return outcome
    }

    /// An accepted answer's booking as the server has it, written into the replica at once (a copy
    /// older than the replica's is left out); the pull after it brings the rest (best effort).
    public func keepAnswer(_ outcome: SyncOutcome) throws {
        guard outcome.outcome == .accepted, let booking = outcome.booking else { return }
        let cursor = try store.replicaStatus()?.cursor ?? 0
        try store.applyChanges(ChangesPage(cursor: cursor, more: false, bookings: [booking]))
        try store.keepServerHistory(outcome)
        _ = try? pull()
    }

    func codeChanges(_ operations: [SyncOperation], _ outcomes: [SyncOutcome]) -> [CodeChange] {
        zip(operations, outcomes).compactMap { operation, outcome in
            guard outcome.outcome == .accepted, outcome.confirmationChanged == true, let booking = outcome.booking else { return nil }
            return CodeChange(bookingId: booking.bookingId, old: operation.book?.confirmation ?? "", new: booking.confirmation)
        }
    }

    // MARK: Pull

    /// Pulls the server's changes after the replica's cursor until none wait; the bookings it
    /// brought and the cursor reached.
    /// `propertyChanged`: the hotel, its room types or rooms came too (a rename, a new rate).
    public func pull() throws -> (pulled: Int, cursor: Int64, propertyChanged: Bool) {
        guard var cursor = try store.replicaStatus()?.cursor else {
            throw SyncFailure(.notFound, "this desk is not connected to a server")
        }
        var pulled = 0
        var propertyChanged = false
        while true {
            let page = try client.changes(since: cursor)
            // A page never takes the cursor back, and one that says more follows moves it on:
            // a server answering otherwise would have the desk lose its place or ask forever.
            guard page.cursor >= cursor, !page.more || page.cursor > cursor else {
                throw SyncFailure(.badServer, "the server answered changes after \(cursor) with cursor \(page.cursor)\(page.more ? " and more to come" : ""): not this protocol")
            }
            try store.applyChanges(page)
            pulled += page.bookings.count
            propertyChanged = propertyChanged || page.hotel != nil || page.roomTypes != nil || page.rooms != nil
            cursor = page.cursor
            if !page.more { break }
        }
        return (pulled, cursor, propertyChanged)
    }

    // MARK: Sync

    public struct SyncReport: Sendable {
        public var push: PushReport
        public var pulled = 0
        /// The hotel, its room types or rooms changed on the server and came with the pull.
        public var propertyChanged = false
        public var cursor: Int64 = 0
        /// Operations still queued after the sync.
        public var pending = 0
        /// Why the sync did not finish (offline, credential, server), if it did not.
        public var failure: SyncFailure?

        public init(push: PushReport) {
            self.push = push
        }
    }

    /// Push, then pull (the pull also after a push that stopped, unless the server is unreachable).
    public func sync() throws -> SyncReport {
        var report = SyncReport(push: try push())
        report.failure = report.push.stopped
        if report.failure?.kind != .offline && report.failure?.kind != .unauthorized {
            do {
                let pulled = try pull()
                report.pulled = pulled.pulled
                report.propertyChanged = pulled.propertyChanged
                report.cursor = pulled.cursor
            } catch let failure as SyncFailure {
                report.failure = report.failure ?? failure
                // Pages before the one that failed are in (the hotel among them, perhaps): the
                // desk looks again rather than miss a rename.
                report.propertyChanged = true
            }
        }
        let status = try store.replicaStatus()
        if report.cursor == 0 { report.cursor = status?.cursor ?? 0 }
        report.pending = status?.pendingOperations ?? 0
        try store.recordSyncAttempt(error: report.failure?.message)
        return report
    }
}

/// One replica page asked for at once, and read into the rows the desk stores, on a thread of its
/// own; `page()` waits for it.
private final class PageAhead: Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let result = Mutex<Result<ReadReplicaPage, any Error>?>(nil)

    init(_ client: SyncClient, after: String) {
        let thread = Thread { [self] in
            let fetched = Result { () throws -> ReadReplicaPage in try ReadReplicaPage(try client.replicaPage(after: after)) }
            result.withLock { $0 = fetched }
            done.signal()
        }
        thread.name = "replica page"
        thread.start()
    }

    func page() throws -> ReadReplicaPage {
        done.wait()
        return try result.withLock { $0! }.get()
    }
}
