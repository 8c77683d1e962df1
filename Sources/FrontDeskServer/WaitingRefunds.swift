import Foundation
import FrontDeskStore
import Logging
import ServiceLifecycle

/// What a server without a payment service (`FRONTDESK_PAYMENT_URL` unset) says of the card
/// refunds it owes: its saga runner makes no card call, so they wait, counted under way by
/// `/metrics`, until a server with one starts; the log said nothing of them. Said at start when
/// any are due, and when the count rises above the one said last (a card booking cancelled): at
/// most one line a minute, a rise within it said with the next count. A count that falls (a
/// cancel undone, another instance with a service refunding) says nothing, and a rise after it is
/// said again. Pure: the caller gives the counts and the time (seconds on a clock that only goes
/// forward), so it is tested with made-up numbers, no server and no sleep.
///
/// Not `RepeatedProblemLog`: that one says a failure of each try and its end, counting tries;
/// this says a number of refunds, again only when it grows.
public struct WaitingRefundsLog: Sendable, Equatable {
    public struct Line: Sendable, Equatable {
        /// Card refunds waiting now.
        public let due: Int
        /// Of those, how many came since the last line (all of them in the first line).
        public let new: Int
        /// Whether it is the first count (the server's start), not a rise after it.
        public let atStart: Bool

        public init(due: Int, new: Int, atStart: Bool) {
            self.due = due
            self.new = new
            self.atStart = atStart
        }

        /// The words of the line, naming how a payment service is set.
        public var message: String {
            let waiting = "no payment service is set (FRONTDESK_PAYMENT_URL)"
            if atStart {
                return "\(due) card refund\(due == 1 ? " is" : "s are") due and \(waiting): they wait until one is"
            }
            let came = new == 1 ? "a card refund became due" : "\(new) card refunds became due"
            return "\(came) and \(waiting): \(due) wait\(due == 1 ? "s" : "") until one is"
        }
    }

    /// The least time between two lines.
    public let interval: TimeInterval
    /// The count the last line said, or a lower count since.
    private var told = 0
    private var countedBefore = false
    private var lastLineAt: TimeInterval?

    public init(interval: TimeInterval = 60) {
        self.interval = interval
    }

    /// `due` refunds counted at `now`: the line to say, or nil.
    public mutating func counted(_ due: Int, at now: TimeInterval) -> Line? {
        let first = !countedBefore
        countedBefore = true
        guard due > told else {
            told = due
            return nil
        }
        if let lastLineAt, now - lastLineAt < interval { return nil }
        let line = Line(due: due, new: due - told, atStart: first)
        told = due
        lastLineAt = now
        return line
    }
}

/// Counts the card refunds waiting, at start and every few seconds, on a server that has no
/// payment service, and says them through `WaitingRefundsLog` as warnings. A count that fails
/// says nothing: the database's absence is said by the runner and the routes.
struct WaitingRefundsService: Service {
    let state: ServerState
    let logger: Logger
    static let interval: Duration = .seconds(5)

    func run() async throws {
        let store = state.chain
        try? await cancelWhenGracefulShutdown {
            var log = WaitingRefundsLog()
            while !Task.isCancelled {
                if let due = try? await state.blocking({ try store.cardRefundsWaiting() }),
                   let line = log.counted(due, at: ProcessInfo.processInfo.systemUptime) {
                    logger.warning("\(line.message)", metadata: ["refunds_due": "\(line.due)", "new": "\(line.new)"])
                }
                try await Task.sleep(for: Self.interval)
            }
        }
    }
}
