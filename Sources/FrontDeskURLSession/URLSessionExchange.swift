import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import FrontDeskHTTP
import Synchronization

/// HTTP over Foundation's URLSession. Only the network helper `frontdesk-net` (and tests) link
/// this: it brings libcurl's chain of shared libraries with it.
public final class URLSessionExchange: HTTPExchange {
    /// One session per timeout, made on first use: corelibs URLSession takes its timeouts from the
    /// session's configuration.
    private let sessions = Mutex<[Double: URLSession]>([:])

    public init() {}

    private func session(timeout: Double) -> URLSession {
        sessions.withLock { sessions in
            if let session = sessions[timeout] { return session }
            let configuration = URLSessionConfiguration.ephemeral
            configuration.timeoutIntervalForRequest = timeout
            configuration.timeoutIntervalForResource = timeout
            let session = URLSession(configuration: configuration)
            sessions[timeout] = session
            return session
        }
    }

    /// Starts the call and hands its result to `done` on a URLSession thread.
    public func start(_ call: HTTPCall, done: @escaping @Sendable (HTTPCallResult) -> Void) {
        guard let url = URL(string: call.url) else {
            done(.failed(HTTPFailure(kind: .notSent, message: "not an address: \(call.url)")))
            return
        }
        var request = URLRequest(url: url)
        request.httpMethod = call.method
        for (name, value) in call.headers { request.setValue(value, forHTTPHeaderField: name) }
        request.httpBody = call.body
        let task = session(timeout: call.timeout).dataTask(with: request) { data, response, error in
            done(Self.result(data: data, response: response, error: error))
        }
        task.resume()
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

    /// URL errors after which the request cannot have reached the service.
    static let notSentCodes: Set<URLError.Code> = [.cannotConnectToHost, .cannotFindHost, .dnsLookupFailed, .badURL, .unsupportedURL]

    static func result(data: Data?, response: URLResponse?, error: (any Error)?) -> HTTPCallResult {
        if let error {
            let code = (error as? URLError)?.code
            let kind: HTTPFailure.Kind = code == .timedOut ? .timedOut : code.map { notSentCodes.contains($0) } == true ? .notSent : .other
            return .failed(HTTPFailure(kind: kind, message: error.localizedDescription))
        }
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

/// The helper's side of `NetworkHelperWire`: reads requests from stdin, runs each on URLSession
/// at once, writes each answer as it comes. Returns when stdin closes (its parent is gone).
public enum NetworkHelperService {
    public static func run(input: Int32 = 0, output: Int32 = 1) {
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
