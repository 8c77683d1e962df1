import Foundation

/// One HTTP request, as plain data: it crosses a pipe to the network helper process, so it holds
/// nothing that cannot be encoded.
public struct HTTPCall: Codable, Sendable, Equatable {
    public var method: String
    public var url: String
    public var headers: [String: String]
    public var body: Data?
    /// Seconds to wait for the whole answer.
    public var timeout: Double

    public init(method: String, url: String, headers: [String: String] = [:], body: Data? = nil, timeout: Double) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

/// What became of an `HTTPCall`: an answer with a status (any status, 500 included), or no answer.
public enum HTTPCallResult: Sendable, Equatable {
    case answered(status: Int, headers: [String: String], body: Data)
    case failed(HTTPFailure)
}

/// Why no answer came. The kind matters to money: after `notSent` the request surely never reached
/// the service (nothing to settle); after `timedOut` or `other` it may have.
public struct HTTPFailure: Codable, Sendable, Equatable, Error {
    /// `answerTooLarge`: the service answered with more than the largest answer taken (it got
    /// the request: it may have acted on it).
    public enum Kind: String, Codable, Sendable { case notSent, timedOut, other, answerTooLarge }
    public var kind: Kind
    /// Short words a person may read ("timed out", "could not connect"), never the system's own
    /// text ("The operation could not be completed. (NSURLErrorDomain error -1001.)").
    public var message: String
    /// The system's code for the failure (a URL error's, -1001 for a timeout), for the log only.
    public var code: Int?
    public init(kind: Kind, message: String, code: Int? = nil) {
        self.kind = kind
        self.message = message
        self.code = code
    }
    public var mayHaveReachedService: Bool { kind != .notSent }
}

/// Sends HTTP requests and blocks the calling thread until the answer or failure. Callers are the
/// saga runner's payment threads (and later the sync client); each call may run concurrently.
public protocol HTTPExchange: Sendable {
    func perform(_ call: HTTPCall) -> HTTPCallResult
}
