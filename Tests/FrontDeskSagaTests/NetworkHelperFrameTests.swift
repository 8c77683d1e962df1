import Foundation
import FrontDeskHTTP
import Testing

/// The frames between `frontdesk` and its network helper carry bodies as they are (issue 12: a
/// replica page is megabytes): any bytes, newlines and zeros included, whatever sizes the pipe's
/// reads come in.
@Suite struct NetworkHelperFrameTests {
    @Test func framesCrossAPipeWholeAndInOrder() throws {
        var big = Data(count: 3_000_017)
        big.withUnsafeMutableBytes { raw in
            for index in 0..<raw.count { raw[index] = UInt8(truncatingIfNeeded: index * 7 + index / 251) }
        }
        let answers: [NetworkHelperWire.Answer] = [
            NetworkHelperWire.Answer(id: 1, result: .answered(status: 200, headers: ["content-type": "application/json"], body: big)),
            NetworkHelperWire.Answer(id: 2, result: .answered(status: 204, headers: [:], body: Data())),
            NetworkHelperWire.Answer(id: 3, result: .failed(HTTPFailure(kind: .timedOut, message: "no answer\nin time"))),
            NetworkHelperWire.Answer(id: 4, result: .answered(status: 500, headers: [:], body: Data("line one\nline two\n\u{0}".utf8))),
        ]
        let request = NetworkHelperWire.Request(id: 5, call: HTTPCall(method: "POST", url: "http://127.0.0.1:1/sync",
                                                                       headers: ["A": "b"], body: Data("{\"x\":\n1}".utf8), timeout: 5))
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        let (readEnd, writeEnd) = (ends[0], ends[1])
        let bytes = try answers.map(NetworkHelperWire.frame).reduce(Data(), +) + NetworkHelperWire.frame(request)
        // Written in uneven pieces on another thread, as a pipe delivers them.
        let writer = Thread {
            var offset = 0
            var piece = 1
            while offset < bytes.count {
                let end = min(bytes.count, offset + piece)
                _ = PipeIO.writeAll(bytes[offset..<end], to: writeEnd)
                offset = end
                piece = piece * 3 % 100_003 + 1
            }
            close(writeEnd)
        }
        writer.start()
        var frames: [(Data, Data)] = []
        PipeIO.readFrames(from: readEnd) { header, body in frames.append((header, body)) }
        close(readEnd)

        #expect(frames.count == 5)
        for (answer, frame) in zip(answers, frames) {
            let read = try NetworkHelperWire.answer(header: frame.0, body: frame.1)
            #expect(read.id == answer.id)
            #expect(read.result == answer.result)
        }
        let read = try NetworkHelperWire.request(header: frames[4].0, body: frames[4].1)
        #expect(read.id == 5 && read.call == request.call)
        // The header line is small: the body is not in it.
        #expect(frames[0].0.count < 200)
    }
}
