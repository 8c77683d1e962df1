import Foundation
import FrontDeskPayments
import Synchronization

/// Counters and a latency histogram per route, rendered in Prometheus' text format at `/metrics`.
/// Kept by hand: a few counters do not need a metrics framework in the build.
final class RequestMetrics: Sendable {
    static let bucketBounds: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

    private struct Histogram {
        var buckets = [Int](repeating: 0, count: RequestMetrics.bucketBounds.count)
        var count = 0
        var sum = 0.0
    }

    private struct Counts {
        var requests: [String: Int] = [:]          // "route\u{0}method\u{0}status"
        var latency: [String: Histogram] = [:]     // route
    }

    private let counts = Mutex(Counts())

    func record(route: String, method: String, status: Int, seconds: Double) {
        counts.withLock { counts in
            counts.requests["\(route)\u{0}\(method)\u{0}\(status)", default: 0] += 1
            var histogram = counts.latency[route] ?? Histogram()
            for (index, bound) in Self.bucketBounds.enumerated() where seconds <= bound { histogram.buckets[index] += 1 }
            histogram.count += 1
            histogram.sum += seconds
            counts.latency[route] = histogram
        }
    }

    /// The text of `/metrics`; `sagas` and `circuit` are read by the caller at the time of asking.
    /// `sagas` nil: the database did not answer; the counters of this process are still given
    /// (the 503s of an outage are what an operator looks for), and `frontdesk_database_up` is 0.
    func render(sagas: (underWay: Int, needingAttention: Int)?, circuit: CircuitBreaker.State?, paymentCallsWithoutOutcome: Int? = nil,
                availabilityCache: AvailabilityCache) -> String {
        let snapshot = counts.withLock { $0 }
        var lines: [String] = []
        lines.append("# HELP frontdesk_http_requests_total HTTP requests answered, by route, method and status.")
        lines.append("# TYPE frontdesk_http_requests_total counter")
        for (key, value) in snapshot.requests.sorted(by: { $0.key < $1.key }) {
            let parts = key.split(separator: "\u{0}", omittingEmptySubsequences: false).map(String.init)
            lines.append("frontdesk_http_requests_total{route=\"\(Self.escape(parts[0]))\",method=\"\(parts[1])\",status=\"\(parts[2])\"} \(value)")
        }
        lines.append("# HELP frontdesk_http_request_duration_seconds Time to answer, by route.")
        lines.append("# TYPE frontdesk_http_request_duration_seconds histogram")
        for (route, histogram) in snapshot.latency.sorted(by: { $0.key < $1.key }) {
            let label = "route=\"\(Self.escape(route))\""
            for (index, bound) in Self.bucketBounds.enumerated() {
                lines.append("frontdesk_http_request_duration_seconds_bucket{\(label),le=\"\(bound)\"} \(histogram.buckets[index])")
            }
            lines.append("frontdesk_http_request_duration_seconds_bucket{\(label),le=\"+Inf\"} \(histogram.count)")
            lines.append("frontdesk_http_request_duration_seconds_sum{\(label)} \(histogram.sum)")
            lines.append("frontdesk_http_request_duration_seconds_count{\(label)} \(histogram.count)")
        }
        lines.append("# HELP frontdesk_database_up Whether the database answered when these metrics were read: 1 yes, 0 no.")
        lines.append("# TYPE frontdesk_database_up gauge")
        lines.append("frontdesk_database_up \(sagas == nil ? 0 : 1)")
        lines.append("# HELP frontdesk_sagas Booking sagas by state; absent while the database does not answer.")
        lines.append("# TYPE frontdesk_sagas gauge")
        if let sagas {
            lines.append("frontdesk_sagas{state=\"under_way\"} \(sagas.underWay)")
            lines.append("frontdesk_sagas{state=\"needs_attention\"} \(sagas.needingAttention)")
        }
        lines.append("# HELP frontdesk_availability_answers_total Availability answers: from the cache (still current), searched afresh, or from a search another request began (still current when it ended).")
        lines.append("# TYPE frontdesk_availability_answers_total counter")
        lines.append("frontdesk_availability_answers_total{source=\"cache\"} \(availabilityCache.hits.load(ordering: .relaxed))")
        lines.append("frontdesk_availability_answers_total{source=\"search\"} \(availabilityCache.misses.load(ordering: .relaxed))")
        lines.append("frontdesk_availability_answers_total{source=\"shared_search\"} \(availabilityCache.shared.load(ordering: .relaxed))")
        lines.append("# HELP frontdesk_payment_circuit_state The payment service's circuit: 0 closed, 1 half open, 2 open; absent without a payment service.")
        lines.append("# TYPE frontdesk_payment_circuit_state gauge")
        if let circuit {
            let value = switch circuit { case .closed: 0; case .halfOpen: 1; case .open: 2 }
            lines.append("frontdesk_payment_circuit_state \(value)")
        }
        lines.append("# HELP frontdesk_payment_calls_without_outcome Payment calls in a row that ended without an outcome (timed out, a 500): each is asked again under its key; the circuit stays closed for them. Absent without a payment service.")
        lines.append("# TYPE frontdesk_payment_calls_without_outcome gauge")
        if let paymentCallsWithoutOutcome {
            lines.append("frontdesk_payment_calls_without_outcome \(paymentCallsWithoutOutcome)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }
}
