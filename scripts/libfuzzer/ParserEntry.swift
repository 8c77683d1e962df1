// libFuzzer entry for the payment simulator's request parser (scripts/fuzz --libfuzzer).
// Compiled together with Sources/FrontDeskPayments/HTTPRequestParser.swift, outside SwiftPM.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = count == 0 ? [] : Array(UnsafeBufferPointer(start: start, count: count))
    let limits = HTTPRequestParser.Limits(maxHeaderBytes: 512, maxBodyBytes: 256)
    switch HTTPRequestParser.parse(bytes, limits: limits) {
    case .incomplete:
        precondition(bytes.count <= limits.maxHeaderBytes + 4 + limits.maxBodyBytes, "incomplete beyond every limit")
    case .complete(let request):
        let length = Int(request.headers["content-length"] ?? "0") ?? -1
        precondition(request.body.count == length, "body does not match Content-Length")
        precondition(request.target.hasPrefix("/") && !request.method.isEmpty, "bad request line accepted")
        precondition(HTTPRequestParser.parse(bytes + Array("X\r\n\r\n".utf8), limits: limits) == .complete(request),
                     "trailing bytes changed the request")
    case .invalid(let problem):
        precondition(HTTPRequestParser.parse(bytes + Array("\r\n\r\nmore".utf8), limits: limits) == .invalid(problem),
                     "more bytes undid the refusal")
    }
    return 0
}
