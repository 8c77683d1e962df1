import Foundation
import Synchronization

/// The design's circuit breaker: open after `threshold` consecutive failures, half-open after
/// `openFor`; one trial call then closes it (success) or opens it again (failure).
public final class CircuitBreaker: Sendable {
    public enum State: Equatable, Sendable {
        case closed(failures: Int)
        case open(until: Date)
        case halfOpen
    }

    let threshold: Int
    let openFor: TimeInterval
    let clock: @Sendable () -> Date
    private let state = Mutex(State.closed(failures: 0))

    public init(threshold: Int = 5, openFor: TimeInterval = 30, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.threshold = threshold
        self.openFor = openFor
        self.clock = clock
    }

    public var current: State {
        state.withLock { state in
            if case .open(let until) = state, clock() >= until { state = .halfOpen }
            return state
        }
    }

    /// Nil when a call may go ahead; else how long until it may.
    public func waitBeforeCalling() -> TimeInterval? {
        switch current {
        case .closed, .halfOpen: nil
        case .open(let until): max(0.1, until.timeIntervalSince(clock()))
        }
    }

    public func recordSuccess() {
        state.withLock { $0 = .closed(failures: 0) }
    }

    public func recordFailure() {
        state.withLock { state in
            switch state {
            case .closed(let failures) where failures + 1 < threshold: state = .closed(failures: failures + 1)
            case .closed, .halfOpen, .open: state = .open(until: clock().addingTimeInterval(openFor))
            }
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
