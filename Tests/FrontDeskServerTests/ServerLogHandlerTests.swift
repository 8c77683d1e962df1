import Foundation
@testable import FrontDeskServer
import Logging
import Testing

/// The server's log lines: UTC time with milliseconds, one event per line whatever its text,
/// metadata as `key=value` that a person and a script can both read.
@Suite struct ServerLogHandlerTests {
    @Test func timestampsAreUTCWithMillisecondsAsFoundationWritesThem() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        var generator = SystemRandomNumberGenerator()
        // Leap days, year ends and whole seconds included, then random instants over 200 years.
        let fixed: [Double] = [0, 951_782_400, 951_868_799.999, 1_709_164_800.5, 1_798_761_599.123, 4_102_444_800]
        let random = (0..<2000).map { _ in Double(Int64.random(in: 0..<7_000_000_000_000, using: &generator)) / 1000 }
        for seconds in fixed + random {
            let instant = Date(timeIntervalSince1970: seconds)
            let expected = formatter.string(from: instant)
            #expect(ServerLogHandler.timestamp(instant) == expected, "\(seconds)")
        }
    }

    @Test func oneEventIsOneLineWithItsMetadataInKeyOrder() {
        let instant = Date(timeIntervalSince1970: 1_795_000_000.25)
        let line = ServerLogHandler.line(at: instant, level: .info, label: "frontdesk-server", message: "request",
                                         metadata: ["status": "200", "method": "GET", "route": "/api/bookings/{id}", "ms": "0.52"])
        #expect(line == "2026-11-18T11:06:40.250Z info frontdesk-server: request method=GET ms=0.52 route=/api/bookings/{id} status=200\n")
        let planted = ServerLogHandler.line(at: instant, level: .warning, label: "s", message: "database unavailable\nfake line",
                                            metadata: ["error": "a \"quoted\" = value\n2026 error forged", "empty": ""])
        #expect(planted.split(separator: "\n").count == 1 && planted.hasSuffix("\n"))
        #expect(planted == #"2026-11-18T11:06:40.250Z warning s: database unavailable\nfake line empty="" error="a \"quoted\" = value\n2026 error forged""# + "\n")
    }
}
