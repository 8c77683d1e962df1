import Foundation

/// Where a change was asked for, so the audit trail and the booking's reason say so truthfully
/// ("Cancelled at the desk" only when it was).
public enum Channel: String, Hashable, Sendable {
    case desk
    case commandLine = "command line"
    case server

    /// The reason a cancellation records when the person gave none.
    public func defaultCancellationReason(by user: String) -> String {
        switch self {
        case .desk: "Cancelled at the desk by \(user)"
        case .commandLine: "Cancelled from the command line by \(user)"
        case .server: "Cancelled through the booking server by \(user)"
        }
    }
}
