import Foundation
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import FrontDeskHTTP
import Synchronization

/// HTTP over Foundation's URLSession. Only the network helper `frontdesk-net` (and tests) link
/// this: it brings libcurl's chain of shared libraries with it.
public final class URLSessionExchange: HTTPExchange {
    /// The largest answer taken (a sync page of 2,000 bookings is a few megabytes): a server, or
    /// something posing as one, that sends more is cut off, not kept in memory until it stops.
    public static let largestAnswer = 64 << 20

    /// One session per timeout, made on first use: corelibs URLSession takes its timeouts from the
    /// session's configuration.
    private let sessions = Mutex<[Double: (session: URLSession, answers: AnswerCollector)]>([:])
    private let largestAnswer: Int

    public init() {
        largestAnswer = Self.largestAnswer
    }

    public init(largestAnswer: Int) {
        self.largestAnswer = largestAnswer
    }

    private func session(timeout: Double) -> (session: URLSession, answers: AnswerCollector) {
        sessions.withLock { sessions in
            if let made = sessions[timeout] { return made }
            let configuration = URLSessionConfiguration.ephemeral
            configuration.timeoutIntervalForRequest = timeout
            configuration.timeoutIntervalForResource = timeout
            let answers = AnswerCollector(largestAnswer: largestAnswer)
            let made = (URLSession(configuration: configuration, delegate: answers, delegateQueue: nil), answers)
            sessions[timeout] = made
            return made
        }
    }

    /// Starts the call and hands its result to `done` on a URLSession thread. A call still running
    /// a second after its timeout is cancelled: an answer that never stops coming (a stream of
    /// bytes) would otherwise outlive the caller that gave up on it.
    public func start(_ call: HTTPCall, done: @escaping @Sendable (HTTPCallResult) -> Void) {
        guard let url = URL(string: call.url) else {
            done(.failed(HTTPFailure(kind: .notSent, message: "not an address: \(call.url)")))
            return
        }
        var request = URLRequest(url: url)
        request.httpMethod = call.method
        for (name, value) in call.headers { request.setValue(value, forHTTPHeaderField: name) }
        request.httpBody = call.body
        let (session, answers) = session(timeout: call.timeout)
        let task = session.dataTask(with: request)
        answers.expect(task, done: done)
        task.resume()
        let overdue = Mutex(Optional(task))
        DispatchQueue.global().asyncAfter(deadline: .now() + call.timeout + 1) {
            overdue.withLock { task in
                task?.cancel()
                task = nil
            }
        }
    }

    public func perform(_ call: HTTPCall) -> HTTPCallResult {
        let finished = DispatchSemaphore(value: 0)
        let slot = Mutex<HTTPCallResult?>(nil)
        start(call) { result in
            slot.withLock { $0 = result }
            finished.signal()
        }
        finished.wait()
        return slot.withLock { $0 } ?? .failed(HTTPFailure(kind: .other, message: "no answer"))
    }

    /// Why a call got no answer, in short words: Foundation's own text for a URL error ("The
    /// operation could not be completed. (NSURLErrorDomain error -1001.)") was shown to people
    /// (`saga status`, the desk's status line). Its code goes with the failure, for the log.
    public static func failure(for error: any Error) -> HTTPFailure {
        guard let urlError = error as? URLError else { return HTTPFailure(kind: .other, message: "network error") }
        let code = urlError.code
        let kind: HTTPFailure.Kind = code == .timedOut ? .timedOut : notSentCodes.contains(code) ? .notSent : .other
        return HTTPFailure(kind: kind, message: words(for: code), code: code.rawValue)
    }

    /// A few words for a URL error's code; "network error" for the rare ones (the log has the code).
    static func words(for code: URLError.Code) -> String {
        switch code {
        case .timedOut: "timed out"
        case .cannotConnectToHost: "could not connect"
        case .networkConnectionLost: "connection lost"
        case .cannotFindHost, .dnsLookupFailed: "host name not found"
        case .notConnectedToInternet: "no network"
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate, .serverCertificateNotYetValid,
             .serverCertificateHasUnknownRoot, .clientCertificateRejected, .clientCertificateRequired:
            "secure connection failed"
        case .badServerResponse: "unreadable answer"
        case .badURL, .unsupportedURL: "not a usable address"
        case .cancelled: "cancelled"
        default: "network error"
        }
    }

    /// URL errors after which the request cannot have reached the service.
    static let notSentCodes: Set<URLError.Code> = [.cannotConnectToHost, .cannotFindHost, .dnsLookupFailed, .badURL, .unsupportedURL]

    static func result(data: Data?, response: URLResponse?, error: (any Error)?) -> HTTPCallResult {
        if let error { return .failed(failure(for: error)) }
        guard let http = response as? HTTPURLResponse else {
            return .failed(HTTPFailure(kind: .other, message: "no HTTP answer"))
        }
        var headers: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { headers[name.lowercased()] = value }
        }
        return .answered(status: http.statusCode, headers: headers, body: data ?? Data())
    }
}

/// Gathers each task's answer as it comes (the session's delegate), cutting off one that grows
/// past `largestAnswer`, and hands the result to the task's caller when it completes.
final class AnswerCollector: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private struct Gathering {
        var done: @Sendable (HTTPCallResult) -> Void
        var data = Data()
        var tooLarge = false
    }

    private let largestAnswer: Int
    private let gathering = Mutex<[Int: Gathering]>([:])

    init(largestAnswer: Int) {
        self.largestAnswer = largestAnswer
    }

    func expect(_ task: URLSessionTask, done: @escaping @Sendable (HTTPCallResult) -> Void) {
        gathering.withLock { $0[task.taskIdentifier] = Gathering(done: done) }
    }

    private func markTooLarge(_ task: URLSessionTask) {
        gathering.withLock {
            $0[task.taskIdentifier]?.tooLarge = true
            $0[task.taskIdentifier]?.data = Data()
        }
        task.cancel()
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        if response.expectedContentLength > Int64(largestAnswer) {
            markTooLarge(dataTask)
            completionHandler(.cancel)
            return
        }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let over = gathering.withLock { gathering -> Bool in
            guard let gathered = gathering[dataTask.taskIdentifier].map({ $0.tooLarge ? nil : $0.data.count }) ?? nil else { return false }
            if gathered + data.count > largestAnswer { return true }
            // Appended in place: a copy of the entry held here would copy its bytes on each append.
            gathering[dataTask.taskIdentifier]?.data.append(data)
            return false
        }
        if over { markTooLarge(dataTask) }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        guard let entry = gathering.withLock({ $0.removeValue(forKey: task.taskIdentifier) }) else { return }
        if entry.tooLarge {
            // The request reached the server, which answered: it may have acted on it.
            entry.done(.failed(HTTPFailure(kind: .answerTooLarge,
                                           message: "the answer was larger than \(largestAnswer >> 20) MB and was cut off")))
            return
        }
        entry.done(URLSessionExchange.result(data: entry.data, response: task.response, error: error))
    }
}

/// The helper's side of `NetworkHelperWire`: reads requests from stdin, runs each on URLSession
/// at once, writes each answer as it comes. Returns when stdin closes (its parent is gone).
public enum NetworkHelperService {
    /// The most memory the helper may take (`RLIMIT_DATA`): answers are cut off far below it, but
    /// URLSession reads a fast stream ahead of its delegate, and a server streaming without end on
    /// a fast link must end the helper (the desk starts another), not fill the machine.
    public static let memoryLimit: rlim_t = 2 << 30

    public static func run(input: Int32 = 0, output: Int32 = 1) {
        var limit = rlimit(rlim_cur: memoryLimit, rlim_max: memoryLimit)
        _ = setrlimit(Int32(RLIMIT_DATA.rawValue), &limit)
        let exchange = URLSessionExchange()
        let writeLock = NSLock()
        PipeIO.readFrames(from: input) { header, body in
            guard let request = try? NetworkHelperWire.request(header: header, body: body) else { return }
            exchange.start(request.call) { result in
                guard let answer = try? NetworkHelperWire.frame(NetworkHelperWire.Answer(id: request.id, result: result)) else { return }
                writeLock.withLock { _ = PipeIO.writeAll(answer, to: output) }
            }
        }
    }
}
