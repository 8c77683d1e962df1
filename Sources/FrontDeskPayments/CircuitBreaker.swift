import Foundation
import Synchronization

/// The design's circuit breaker: open after `threshold` consecutive failures, half-open after
/// `openFor`; exactly one trial call then closes it (success), opens it again (failure) or hands
/// the trial to the next caller (an inconclusive call: a timeout, a 500 for its request). While
/// the trial is out, every other caller is told to wait, so a service that is just coming back is
/// not hit by every runner at once.
public final class CircuitBreaker: Sendable {
    public enum State: Equatable, Sendable {
        case closed(failures: Int)
        case open(until: Date)
        case halfOpen
    }

    let threshold: Int
    let openFor: TimeInterval
    let clock: @Sendable () -> Date
    private let state = Mutex(Guarded())

    private struct Guarded {
        var state = State.closed(failures: 0)
        /// The one call let through in the half-open state is under way.
        var trialInFlight = false
    }

    public init(threshold: Int = 5, openFor: TimeInterval = 30, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.threshold = threshold
        self.openFor = openFor
        self.clock = clock
    }

    public var current: State {
        state.withLock { guarded in
            Self.settle(&guarded, now: clock())
            return guarded.state
        }
    }

    private static func settle(_ guarded: inout Guarded, now: Date) {
        if case .open(let until) = guarded.state, now >= until {
            guarded.state = .halfOpen
            guarded.trialInFlight = false
        }
    }

    /// Nil when a call may go ahead (in the half-open state, only the first caller: it takes the
    /// trial); else how long until it may be worth asking again.
    public func waitBeforeCalling() -> TimeInterval? {
        state.withLock { guarded in
            let now = clock()
            Self.settle(&guarded, now: now)
            switch guarded.state {
            case .closed: return nil
            case .halfOpen:
                if guarded.trialInFlight { return 1 }
                guarded.trialInFlight = true
                return nil
            case .open(let until): return max(0.1, until.timeIntervalSince(now))
            }
        }
    }

    public var isOpen: Bool {
        if case .open = current { return true }
        return false
    }

    public func recordSuccess() {
        state.withLock { $0 = Guarded() }
    }

    public func recordFailure() {
        state.withLock { guarded in
            let now = clock()
            Self.settle(&guarded, now: now)
            switch guarded.state {
            case .closed(let failures) where failures + 1 < threshold: guarded.state = .closed(failures: failures + 1)
            case .closed, .halfOpen, .open: guarded.state = .open(until: now.addingTimeInterval(openFor))
            }
            guarded.trialInFlight = false
        }
    }

    /// A call that says nothing of the service's health either way (it timed out, or the service
    /// answered 500 for this one request): the count stands. A half-open trial that ends so
    /// proved nothing either way: the circuit stays half-open and the next caller takes the trial.
    /// Opening it again let one bad card, retried every few seconds while in doubt, take every
    /// trial and keep the circuit open until its hold lapsed: every other card failed at once as
    /// "unreachable" for minutes after a short outage, while the service was up.
    public func recordInconclusive() {
        state.withLock { guarded in
            Self.settle(&guarded, now: clock())
            if case .halfOpen = guarded.state { guarded.trialInFlight = false }
        }
    }

    public var description: String {
        switch current {
        case .closed(let failures): "circuit closed (\(failures) consecutive failure\(failures == 1 ? "" : "s"))"
        case .halfOpen: "circuit half-open (next call is a trial)"
        case .open(let until): "circuit open until \(ISO8601DateFormatter().string(from: until))"
        }
    }
}
