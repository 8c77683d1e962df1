import Foundation

/// A failure that comes back on every try for as long as its cause lasts (the saga runner's
/// loop while PostgreSQL is down: one about every 1.1 s), said without flooding the log: the
/// first at once, then at most one line every `interval` while failures go on, saying how many
/// came since the last line, and one line when it works again. Pure: the caller gives the time
/// (seconds on a clock that only goes forward, such as `ProcessInfo.systemUptime`), so it is
/// tested with made-up times, no clock and no sleep.
///
/// The failures of one outage count as one problem whatever their words: those change from one
/// try to the next (a connection lost, then refused; a wait of so many seconds), and each new
/// wording said at once would flood the log again. Each minute's line names the latest.
public struct RepeatedProblemLog: Sendable, Equatable {
    public enum Line: Sendable, Equatable {
        /// `problem` happened. `unsaid`: the failures since the previous such line that were not
        /// said (0 for the first of a quiet hour); `failingFor`: seconds since the last try that
        /// worked (0 for the first failure after one).
        case failing(problem: String, unsaid: Int, failingFor: TimeInterval)
        /// A try worked again, after `failures` failures over `lasted` seconds.
        case workingAgain(failures: Int, lasted: TimeInterval)
    }

    /// The least time between two lines about failures.
    public let interval: TimeInterval
    /// When the failures going on now began; nil while it works.
    private var failingSince: TimeInterval?
    private var failuresSinceWorking = 0
    /// Whether a line was said of the failures going on now: failures nobody was told of end
    /// without a line either (a problem that comes and goes every other second is said at most
    /// once a minute, with its count, not twice a second).
    private var saidOfThese = false
    private var lastFailingLineAt: TimeInterval?
    private var unsaid = 0

    public init(interval: TimeInterval = 60) {
        self.interval = interval
    }

    /// A failure at `now`: the line to write, or nil to write none.
    public mutating func failed(_ problem: String, at now: TimeInterval) -> Line? {
        if failingSince == nil {
            failingSince = now
            failuresSinceWorking = 0
            saidOfThese = false
        }
        failuresSinceWorking += 1
        if let last = lastFailingLineAt, now - last < interval {
            unsaid += 1
            return nil
        }
        let line = Line.failing(problem: problem, unsaid: unsaid, failingFor: now - (failingSince ?? now))
        lastFailingLineAt = now
        unsaid = 0
        saidOfThese = true
        return line
    }

    /// A try that worked at `now`: the line saying the failures are over, when a line of theirs
    /// was said; nil otherwise (and while nothing failed).
    public mutating func worked(at now: TimeInterval) -> Line? {
        guard let since = failingSince else { return nil }
        let line = saidOfThese ? Line.workingAgain(failures: failuresSinceWorking, lasted: now - since) : nil
        failingSince = nil
        failuresSinceWorking = 0
        saidOfThese = false
        return line
    }
}
