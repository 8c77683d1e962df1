import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import FrontDeskPayments
import Testing

/// `frontdesk payment-sim` through the real binary.
@Suite struct PaymentSimCommandTests {
    @Test func aBusyPortGivesOneJSONErrorWithJsonAndOneLineWithout() throws {
        let cli = try CLIHarness()
        let occupant = try PaymentSimulator(port: 0)
        defer { occupant.stop() }

        let json = try cli.run("payment-sim", "--port", "\(occupant.port)", "--json")
        #expect(json.status != 0)
        let error = try #require(try json.json["error"] as? [String: Any])
        #expect(error["code"] as? String == "port_unavailable")
        #expect((error["message"] as? String)?.contains("\(occupant.port)") == true)
        #expect(error["details"] as? [String] == [])

        let text = try cli.run("payment-sim", "--port", "\(occupant.port)")
        #expect(text.status == json.status)
        #expect(text.stdout.isEmpty)
        #expect(text.stderr.hasPrefix("error: "))
        #expect(text.stderr.split(separator: "\n").count == 1)
    }

    @Test func withALedgerFileARestartedSimulatorStillKnowsTheCharge() throws {
        let cli = try CLIHarness()
        let ledger = cli.folder.appendingPathComponent("ledger.jsonl").path

        let first = try startSimulator(cli, ledger: ledger)
        let charge = try RawHTTP.post(first.url + "/charges", key: "charge-r1",
                                      body: ["bookingId": "r1", "amount": "99.00", "currency": "EUR", "card": PaymentSimulator.approveCard])
        #expect(charge == 200)
        first.process.terminate()
        first.process.waitUntilExit()

        let second = try startSimulator(cli, ledger: ledger)
        defer {
            second.process.terminate()
            second.process.waitUntilExit()
        }
        #expect(try RawHTTP.post(second.url + "/refunds", key: "refund-r1", body: ["bookingId": "r1", "amount": "99.00"]) == 200)
        let report = try RawHTTP.get(second.url + "/charges")["charges"] as? [[String: Any]]
        #expect(report?.first?["charged"] as? Int == 1)
        #expect(report?.first?["refunded"] as? Int == 1)
    }

    func startSimulator(_ cli: CLIHarness, ledger: String) throws -> (process: Process, url: String) {
        try cli.startPaymentSimulator(["--ledger", ledger])
    }
}

/// Blocking URLSession calls for these tests.
enum RawHTTP {
    static func post(_ url: String, key: String, body: [String: String]) throws -> Int {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = "POST"
        request.setValue(key, forHTTPHeaderField: "Idempotency-Key")
        request.httpBody = try JSONSerialization.data(withJSONObject: body)
        return try send(request).status
    }

    static func get(_ url: String) throws -> [String: Any] {
        let data = try send(URLRequest(url: URL(string: url)!)).data
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    static func send(_ request: URLRequest) throws -> (status: Int, data: Data) {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: (Int, Data)?
        URLSession.shared.dataTask(with: request) { data, response, _ in
            result = ((response as? HTTPURLResponse)?.statusCode ?? 0, data ?? Data())
            done.signal()
        }.resume()
        done.wait()
        return try #require(result)
    }
}
