import Foundation

/// Every failure a person can be shown, with the machine-readable code of the command line and
/// (later) the server's problem+json: validation 400, not found 404, the rest 409/422.
public enum FrontDeskError: Error, Hashable, Sendable {
    /// Every violated rule, not only the first.
    case validationFailed([String])
    case notFound(String)
    case roomUnavailable(String)
    case invalidState(String)
    case conflict(String)
    /// The caller based a change on a version that is no longer current (`--expected-version`,
    /// HTTP `If-Match`). The command line calls it a conflict; the server answers 412.
    case staleVersion(String)

    public var code: String {
        switch self {
        case .validationFailed: "validation_failed"
        case .notFound: "not_found"
        case .roomUnavailable: "room_unavailable"
        case .invalidState: "invalid_state"
        case .conflict, .staleVersion: "conflict"
        }
    }

    public var message: String {
        switch self {
        case .validationFailed(let problems):
            problems.count == 1 ? problems[0] : "\(problems.count) problems: " + problems.joined(separator: "; ")
        case .notFound(let message), .roomUnavailable(let message), .invalidState(let message), .conflict(let message),
             .staleVersion(let message):
            message
        }
    }

    public var details: [String] {
        if case .validationFailed(let problems) = self { return problems }
        return []
    }
}

/// A failed write whose answer is certain: nothing was made. A form asked again after it asks
/// anew, under a new request id; after any other failure (no answer, an answer lost on the way)
/// it asks under the same one, so what the first request made is returned, not made twice. Asked
/// again under the first id, a refusal would come back from the server's record of that id
/// however much the room or the booking had changed since.
public protocol DefiniteWriteFailure: Error {
    /// False when the failure says the outcome is unknown.
    var nothingWasMade: Bool { get }
    /// Refused because the booking was changed since the version the change was based on (here,
    /// or on the server): a form can be shown again on the booking as it is now.
    var changedSinceBase: Bool { get }
}

extension FrontDeskError: DefiniteWriteFailure {
    public var nothingWasMade: Bool { true }
    public var changedSinceBase: Bool {
        if case .staleVersion = self { return true }
        return false
    }
}

/// The operating system's words for a failed file operation ("No space left on device",
/// "Permission denied"), dug out of Foundation's error, whose own description is a dump
/// ("Error Domain=NSCocoaErrorDomain Code=512 …") no person should be shown. Nil when the error
/// carries no system error number.
public func operatingSystemWords(for error: any Error) -> String? {
    let error = error as NSError
    let posix = error.domain == NSPOSIXErrorDomain ? error : (error.userInfo[NSUnderlyingErrorKey] as? NSError).flatMap {
        $0.domain == NSPOSIXErrorDomain ? $0 : nil
    }
    guard let posix, let text = strerror(Int32(posix.code)) else { return nil }
    return String(cString: text)
}

/// The exit status of a command that ended with an error of this code, the same for `frontdesk`
/// and `frontdesk-server`, so a script can tell a full hotel from a typo, and "try later" from both.
public enum CommandExitCodes {
    /// A connected desk's work left undone for now (offline, refused credential, unknown outcome).
    public static let syncIncomplete: Int32 = 8

    public static func forCode(_ code: String) -> Int32 {
        switch code {
        case "validation_failed": 2
        case "not_found": 3
        case "room_unavailable": 4
        case "invalid_state": 5
        case "conflict", "stale_version", "depends_on_conflict", "card_offline", "rejected": 6
        case "offline", "unauthorized", "bad_server", "replica_too_old", "outcome_unknown": syncIncomplete
        default: 1
        }
    }
}
