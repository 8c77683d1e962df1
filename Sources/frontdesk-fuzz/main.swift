// A seeded fuzzer (not run in CI): random and mutated inputs for the payment simulator's request
// parser, the live simulator over real sockets, and the booking-form validation that the desk
// and the command line share. A crash prints the input being tried and writes it to
// fuzz-crash.bin; a broken invariant prints the input and exits 1. Same seed, same inputs.
//
//   frontdesk-fuzz [--seconds 60] [--seed N] [--only parser|live|form]
import Foundation
import FrontDeskDomain
import FrontDeskPayments
#if canImport(Glibc)
import Glibc
#endif

// MARK: The input being tried, for the crash handler

/// Copied before every attempt, so a signal handler (which may not allocate) can write it out.
nonisolated(unsafe) let crashBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 4 << 20)
nonisolated(unsafe) var crashLength = 0
nonisolated(unsafe) var crashKind: StaticString = "none"

func remember(_ kind: StaticString, _ bytes: [UInt8]) {
    crashKind = kind
    crashLength = min(bytes.count, 4 << 20)
    bytes.withUnsafeBufferPointer { crashBuffer.update(from: $0.baseAddress!, count: crashLength) }
}

func installCrashHandler() {
    for signalNumber in [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGABRT, SIGFPE] {
        signal(signalNumber) { number in
            let header = "\nfrontdesk-fuzz: crashed (signal \(number)) on this input, also in fuzz-crash.bin:\n"
            _ = header.withCString { write(2, $0, strlen($0)) }
            _ = write(2, crashKind.utf8Start, crashKind.utf8CodeUnitCount)
            _ = write(2, ": ", 2)
            _ = write(2, crashBuffer, crashLength)
            _ = write(2, "\n", 1)
            let file = open("fuzz-crash.bin", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            if file >= 0 {
                _ = write(file, crashBuffer, crashLength)
                close(file)
            }
            _exit(128 + number)
        }
    }
}

// MARK: Arguments

var seconds = 60.0
var seed: UInt64 = UInt64(Date().timeIntervalSince1970)
var only: String?
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--seconds": seconds = Double(arguments.next() ?? "") ?? seconds
    case "--seed": seed = UInt64(arguments.next() ?? "") ?? seed
    case "--only": only = arguments.next()
    default:
        print("usage: frontdesk-fuzz [--seconds 60] [--seed N] [--only parser|live|form]")
        exit(2)
    }
}
installCrashHandler()
var random = SeededGenerator(seed: seed)
print("frontdesk-fuzz: seed \(seed), \(seconds) s\(only.map { ", only \($0)" } ?? "")")

func fail(_ what: String, _ input: [UInt8]) -> Never {
    print("frontdesk-fuzz: INVARIANT BROKEN: \(what)")
    print("input (\(input.count) bytes): \(String(decoding: input.prefix(2000), as: UTF8.self).debugDescription)")
    exit(1)
}

// MARK: Request bytes

enum Requests {
    static let tokens: [String] = [
        "\r\n", "\r\n\r\n", "\r", "\n", ":", " ", "\t", "\0", "/", "?", "%00", "HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/",
        "Content-Length: ", "Content-Length: -1\r\n", "Content-Length: 18446744073709551616\r\n",
        "Content-Length: 9223372036854775807\r\n", "Content-Length: 99999999999999999999\r\n", "Content-Length: 0\r\n",
        "Content-Length: 5\r\nContent-Length: 6\r\n", "Transfer-Encoding: chunked\r\n", "Idempotency-Key: \r\n",
        "-1", "-0", "+1", "0x1F", "1e9", "\u{FF}", "\u{FEFF}", "é", "👩‍👩‍👧", "{", "}", "[", "\"", "\\", "null",
        #"{"bookingId":"b","amount":"1.00","card":"4242424242424242","chargeKey":"charge-b"}"#,
        #"{"bookingId":1e400,"amount":-1,"card":null}"#, String(repeating: "[", count: 2000),
    ]

    static func valid(_ random: inout SeededGenerator) -> [UInt8] {
        let booking = "b\(Int.random(in: 0..<20, using: &random))"
        let (method, path, key, body): (String, String, String, String) = switch Int.random(in: 0..<6, using: &random) {
        case 0: ("GET", "/health", "", "")
        case 1: ("GET", "/charges", "", "")
        case 2, 3: ("POST", "/charges", "charge-\(booking)",
                    #"{"bookingId":"\#(booking)","amount":"120.00","currency":"EUR","card":"\#(["4242424242424242", "4000000000000002", "4000000000000119"].randomElement(using: &random)!)"}"#)
        case 4: ("POST", "/refunds", "refund-\(booking)", #"{"bookingId":"\#(booking)","amount":"120.00"}"#)
        default: ("POST", "/voids", "void-\(booking)", #"{"bookingId":"\#(booking)","chargeKey":"charge-\#(booking)"}"#)
        }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        if !key.isEmpty { head += "Idempotency-Key: \(key)\r\n" }
        if !body.isEmpty || Bool.random(using: &random) { head += "Content-Length: \(body.utf8.count)\r\n" }
        return Array((head + "\r\n" + body).utf8)
    }

    static func mutated(_ random: inout SeededGenerator) -> [UInt8] {
        if Int.random(in: 0..<10, using: &random) == 0 {
            return (0..<Int.random(in: 0..<3000, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
        }
        var bytes = valid(&random)
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let at = Int.random(in: 0...bytes.count, using: &random)
            switch Int.random(in: 0..<7, using: &random) {
            case 0 where !bytes.isEmpty: bytes[min(at, bytes.count - 1)] = UInt8.random(in: 0...255, using: &random)
            case 1: bytes.insert(contentsOf: Array(tokens.randomElement(using: &random)!.utf8), at: at)
            case 2: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...20, using: &random)))
            case 3 where !bytes.isEmpty:
                let start = Int.random(in: 0..<bytes.count, using: &random)
                bytes.insert(contentsOf: bytes[start..<min(bytes.count, start + Int.random(in: 1...64, using: &random))], at: at)
            case 4: bytes.insert(contentsOf: [UInt8](repeating: UInt8(ascii: "a"), count: Int.random(in: 1...20_000, using: &random)), at: at)
            case 5: bytes = Array(bytes.prefix(at))
            default: bytes.insert(contentsOf: Array("X-\(Int.random(in: 0..<99, using: &random)): \(tokens.randomElement(using: &random)!)\r\n".utf8),
                                  at: bytes.firstIndex(of: 10).map { $0 + 1 } ?? 0)
            }
        }
        return bytes
    }
}

/// The parser alone: no crash, and its answers hang together.
func fuzzParser(_ random: inout SeededGenerator) {
    let limits = HTTPRequestParser.Limits(maxHeaderBytes: [16_384, 256, 64].randomElement(using: &random)!,
                                          maxBodyBytes: [1 << 20, 100, 0].randomElement(using: &random)!)
    let bytes = Requests.mutated(&random)
    remember("parser", bytes)
    switch HTTPRequestParser.parse(bytes, limits: limits) {
    case .incomplete:
        if bytes.count > limits.maxHeaderBytes + 4 + limits.maxBodyBytes { fail("incomplete beyond every limit", bytes) }
    case .complete(let request):
        let length = Int(request.headers["content-length"] ?? "0") ?? -1
        if request.body.count != length { fail("body of \(request.body.count) bytes, Content-Length \(length)", bytes) }
        if !request.target.hasPrefix("/") || request.method.isEmpty { fail("request line accepted: \(request.method) \(request.target)", bytes) }
        let used = (HTTPRequestParser.headerEnd(in: bytes, limits: limits) ?? 0) + 4 + length
        let cut = Int.random(in: 0..<max(1, used), using: &random)
        if HTTPRequestParser.parse(Array(bytes[0..<cut]), limits: limits) != .incomplete { fail("a prefix of \(cut) bytes was not incomplete", bytes) }
        if HTTPRequestParser.parse(bytes + Array("GARBAGE\r\n\r\n".utf8), limits: limits) != .complete(request) {
            fail("trailing bytes changed the request", bytes)
        }
    case .invalid(let problem):
        let more = bytes + Requests.mutated(&random)
        if HTTPRequestParser.parse(more, limits: limits) != .invalid(problem) { fail("more bytes undid \(problem)", bytes) }
    }
}

extension HTTPRequestParser {
    static func headerEnd(in bytes: [UInt8], limits: Limits) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4) where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }
}

// MARK: The live simulator

final class LiveTarget {
    let simulator: PaymentSimulator
    var sent = 0
    var statuses: [Int: Int] = [:]

    init() throws {
        simulator = try PaymentSimulator(port: 0, slowDelay: 0.01, limits: .init(readTimeout: 0.2, maxConnections: 256, maxWorkers: 8))
        simulator.start()
    }

    /// One connection: the bytes, then half-close, then the answer's status (0: closed without one).
    func exchange(_ bytes: [UInt8]) -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = simulator.port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return -1 }
        var wait = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBufferPointer { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count <= 0 { break }
            offset += count
        }
        shutdown(descriptor, Int32(SHUT_WR))
        var answer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while answer.count < 1 << 20 {
            let count = recv(descriptor, &chunk, chunk.count, 0)
            if count <= 0 { break }
            answer += chunk[0..<count]
        }
        let text = String(decoding: answer.prefix(16), as: UTF8.self)
        return text.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
    }

    func fuzz(_ random: inout SeededGenerator) {
        let bytes = Bool.random(using: &random) ? Requests.valid(&random) : Requests.mutated(&random)
        remember("live", bytes)
        let status = exchange(bytes)
        sent += 1
        statuses[status, default: 0] += 1
        let allowed: Set<Int> = [0, 200, 400, 402, 404, 405, 408, 409, 431, 500, 501, 503, 504, 505]
        if !allowed.contains(status) { fail("the simulator answered \(status)", bytes) }
        if status == 0, !bytes.isEmpty { fail("the simulator closed without an answer", bytes) }
        if sent % 200 == 0, exchange(Array("GET /health HTTP/1.1\r\n\r\n".utf8)) != 200 { fail("the simulator stopped answering /health", bytes) }
    }
}

// MARK: Booking forms

enum Forms {
    static let dates = ["2026-11-26", "2026-11-27", "2026-12-26", "2026-02-29", "2028-02-29", "0000-01-01", "0001-01-01",
                        "9999-12-31", "9999-12-30", "10000-01-01", "-001-01-01", "2026-13-01", "2026-00-10", "2026-1-1",
                        "２０２６-11-27", "2026-11-27T00:00", " 2026-11-28 ", "2026-11-28\n", "2026-11-2\u{301}8", "", "   ", "today",
                        "2028-11-26", "2028-11-25", "1970-01-01", "2026‐11‐27"]
    static let numbers = ["0", "1", "2", "4", "10", "11", "-1", "+3", " 2 ", "02", "9223372036854775807", "9223372036854775808",
                          "-9223372036854775808", "١", "²", "3.0", "1e1", "", "two"]
    static let names = ["Anna", "", " ", "\u{1B}[31mred", "a\nb", "Zoë", "👩‍👩‍👧", "\u{202E}evil", "\u{0}", "\u{85}",
                        "a" + String(repeating: "\u{301}", count: 5000), String(repeating: "x", count: 100),
                        String(repeating: "x", count: 101), String(repeating: "日", count: 100), "\u{7F}", "\t\t"]
    static let emails = ["anna@example.com", "a@b.co", "@example.com", "anna@", "anna@example", "a..b@example.com",
                         ".a@example.com", "a@-x.com", "a@x-.com", "a@example.c0m", "a@ex ample.com", "ä@example.com",
                         "a@exämple.com", String(repeating: "a", count: 65) + "@example.com", "a@" + String(repeating: "b", count: 64) + ".com",
                         "a@b@c.com", "a@b.c", "a@\u{1B}.com", ""]
    static let phones = ["", "+43 1 234567", "12345", "1234", String(repeating: "1", count: 21), "(+1) 555-0100.", "555\n0100",
                         "٠١٢٣٤٥", "１２３４５", "+-().", String(repeating: " ", count: 40) + "12345"]
    static let rooms = ["101", "", " 101 ", "\u{1B}]0;x\u{7}", String(repeating: "9", count: 300), "1\u{301}"]

    static func pick(_ list: [String], _ random: inout SeededGenerator) -> String {
        var text = list.randomElement(using: &random)!
        if Int.random(in: 0..<4, using: &random) == 0 {
            var scalars = Array(text.unicodeScalars)
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let value = [UInt32.random(in: 0...0x7F, using: &random), UInt32.random(in: 0x80...0x2FFF, using: &random),
                             UInt32.random(in: 0x1F300...0x1FAFF, using: &random)].randomElement(using: &random)!
                let scalar = Unicode.Scalar(value) ?? "?"
                if scalars.isEmpty || Bool.random(using: &random) {
                    scalars.insert(scalar, at: Int.random(in: 0...scalars.count, using: &random))
                } else {
                    scalars[Int.random(in: 0..<scalars.count, using: &random)] = scalar
                }
            }
            text = String(String.UnicodeScalarView(scalars))
        }
        return text
    }
}

final class FormTarget {
    var tried = 0
    var accepted = 0
    /// Not failures of this fuzzer: what issue 9's items 8 and 9 are about, counted for the report.
    var rawControlInMessages = 0
    var acceptedLongNames = 0
    var example: [String: String] = [:]

    func fuzz(_ random: inout SeededGenerator) {
        let business = CalendarDate(iso: ["2026-11-26", "0001-01-01", "9999-12-31", "9999-12-01", "2024-02-29"].randomElement(using: &random)!)!
        var form: BookingForm
        if Bool.random(using: &random) {
            // A form that passes, then one field (or none) made hostile: finds what gets through.
            let checkIn = business.dayNumber + Int.random(in: -2...BookingRules.maximumDaysAhead + 2, using: &random)
            let nights = Int.random(in: -1...BookingRules.maximumNights + 2, using: &random)
            form = BookingForm(roomNumber: "101", checkIn: CalendarDate(dayNumber: checkIn).iso,
                               checkOut: CalendarDate(dayNumber: checkIn + nights).iso, guests: "\(Int.random(in: 0...11, using: &random))",
                               guestName: "Anna Muster", email: "anna@example.com", phone: "")
            switch Int.random(in: 0..<8, using: &random) {
            case 0: form.roomNumber = Forms.pick(Forms.rooms, &random)
            case 1: form.checkIn = Forms.pick(Forms.dates, &random)
            case 2: form.checkOut = Forms.pick(Forms.dates, &random)
            case 3: form.guests = Forms.pick(Forms.numbers, &random)
            case 4: form.guestName = Forms.pick(Forms.names, &random)
            case 5: form.email = Forms.pick(Forms.emails, &random)
            case 6: form.phone = Forms.pick(Forms.phones, &random)
            default: break
            }
        } else {
            form = BookingForm(roomNumber: Forms.pick(Forms.rooms, &random), checkIn: Forms.pick(Forms.dates, &random),
                               checkOut: Forms.pick(Forms.dates, &random), guests: Forms.pick(Forms.numbers, &random),
                               guestName: Forms.pick(Forms.names, &random), email: Forms.pick(Forms.emails, &random),
                               phone: Forms.pick(Forms.phones, &random))
        }
        remember("form", Array([form.roomNumber, form.checkIn, form.checkOut, form.guests, form.guestName, form.email, form.phone]
            .joined(separator: "\u{1F}").utf8))
        let hotel = UUID()
        let type = RoomType(id: UUID(), hotelId: hotel, name: Forms.pick(["Double", "", "\u{1B}x"], &random),
                            capacity: Int.random(in: 1...12, using: &random), basePricePerNight: Money(minorUnits: 10_000))
        let room = Room(id: UUID(), hotelId: hotel, roomTypeId: type.id, number: form.roomNumber, isActive: Bool.random(using: &random))
        let context = BookingRules.Context(businessDate: business, hotelExists: Int.random(in: 0..<8, using: &random) != 0,
                                           room: Bool.random(using: &random) ? (room, type) : nil)
        tried += 1
        let problems = BookingRules.problems(in: form, context: context)
        let bytes = Array("\(form) business \(business)".utf8)
        do {
            let request = try BookingRules.validate(form, context: context)
            accepted += 1
            if !problems.isEmpty { fail("validate accepted what problems(in:) refused: \(problems)", bytes) }
            let nights = request.stay.nightCount
            if !(1...BookingRules.maximumNights).contains(nights) { fail("accepted \(nights) nights", bytes) }
            if request.stay.checkIn < business || business.days(until: request.stay.checkIn) > BookingRules.maximumDaysAhead {
                fail("accepted check-in \(request.stay.checkIn) for business date \(business)", bytes)
            }
            if CalendarDate(iso: request.stay.checkOut.iso) != request.stay.checkOut { fail("check-out \(request.stay.checkOut.iso) does not read back", bytes) }
            if !BookingRules.guestRange.contains(request.guestCount) || request.guestCount > type.capacity {
                fail("accepted \(request.guestCount) guests (capacity \(type.capacity))", bytes)
            }
            if request.guest.name.isEmpty || request.guest.name.count > BookingRules.maximumNameLength
                || request.guest.name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                fail("accepted the guest name \(request.guest.name.debugDescription)", bytes)
            }
            if !BookingRules.isValidEmail(request.guest.email) { fail("accepted the email \(request.guest.email)", bytes) }
            if request.guest.name.unicodeScalars.count > BookingRules.maximumNameLength {
                acceptedLongNames += 1
                example["accepted name of \(request.guest.name.unicodeScalars.count) scalars"] = String(String.UnicodeScalarView(request.guest.name.unicodeScalars.prefix(6))).debugDescription + "..."
            }
        } catch {
            if problems.isEmpty || problems != error.details { fail("validate refused but problems(in:) says \(problems)", bytes) }
            if let message = problems.first(where: { $0.unicodeScalars.contains { $0.properties.generalCategory == .control } }) {
                rawControlInMessages += 1
                example["message with a raw control character"] = String(message.prefix(80)).debugDescription
            }
        }
        // Prices are parsed by the same module (room types, the search's price column).
        let price = Forms.pick(["129.00", "-1", "0", "1e3", "0.001", "99999999999999999999", "1,5", "", " 1.50", "１", "129.0\u{301}"], &random)
        remember("price", Array(price.utf8))
        if let money = Money(parsing: price), Money(parsing: money.plain) != money { fail("price \(money.plain) does not read back", Array(price.utf8)) }
    }
}

// MARK: Run

let deadline = Date().addingTimeInterval(seconds)
var live: LiveTarget?
if only == nil || only == "live" { live = try LiveTarget() }
let forms = FormTarget()
var parsed = 0
var round = 0
while Date() < deadline {
    round += 1
    if only == nil || only == "parser" { for _ in 0..<50 { fuzzParser(&random); parsed += 1 } }
    if only == nil || only == "form" { for _ in 0..<50 { forms.fuzz(&random) } }
    if let live { for _ in 0..<2 { live.fuzz(&random) } }
}
print("parser: \(parsed) inputs, 0 crashes, 0 broken invariants")
if let live {
    print("live simulator: \(live.sent) connections, 0 crashes; answers \(live.statuses.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " "))")
    live.simulator.stop()
}
print("booking form: \(forms.tried) forms (\(forms.accepted) accepted), 0 crashes, 0 broken invariants")
if forms.rawControlInMessages + forms.acceptedLongNames > 0 {
    print("  findings for issue 9: \(forms.rawControlInMessages) messages echoed a raw control character (item 9); "
        + "\(forms.acceptedLongNames) accepted names over \(BookingRules.maximumNameLength) Unicode scalars (item 8)")
    for (what, sample) in forms.example.sorted(by: { $0.key < $1.key }) { print("  e.g. \(what): \(sample)") }
}
