import Foundation
@testable import FrontDeskStore
import Testing

/// Ids in JSON are written without Foundation's formatter (issue 10, session 6): the same text.
@Suite struct IdentifierTextTests {
    @Test func lowercaseTextIsFoundationsLowercased() {
        var ids = [UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
                   UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255)),
                   UUID(uuidString: "0866ECCE-5706-4D9A-8C42-4A6D41B67372")!]
        ids += (0..<500).map { _ in UUID() }
        for id in ids {
            #expect(Identifier.lowercaseText(id) == id.uuidString.lowercased())
        }
    }
}
