import Foundation
import FrontDeskDomain
import FrontDeskScreens
import FrontDeskStore
import FrontDeskTerminal
import FrontDeskTestSupport
import Testing

/// The small test hotel plus two rooms whose type names need care: accents and double width.
struct ScreenFixture {
    let desk: StoreFixture
    var model: DeskModel

    /// `adjust` changes the desk's services before the model gets them (a failing search).
    init(adjust: (inout DeskServices) -> Void = { _ in }) throws {
        desk = try StoreFixture()
        _ = try desk.store.addRoomType(name: "和室 Washitsu", capacity: 2, basePrice: Money(minorUnits: 15_000), by: "setup")
        _ = try desk.store.addRoomType(name: "Chambre Élégance", capacity: 2, basePrice: Money(minorUnits: 17_500), by: "setup")
        _ = try desk.store.addRoom(number: "401", typeName: "和室 Washitsu", by: "setup")
        _ = try desk.store.addRoom(number: "402", typeName: "Chambre Élégance", by: "setup")
        let store = desk.store
        var services = DeskTerminalApp.services(store: store, user: "anna", cardPayments: false)
        adjust(&services)
        model = DeskModel(
            info: DeskInfo(hotelName: "Hotel Test", currency: "EUR", businessDate: StoreFixture.today, user: "anna"),
            services: services,
            roomServices: DeskTerminalApp.roomServices(store: store, user: "manager"),
            managerServices: DeskTerminalApp.managerServices(store: store, exportDirectory: desk.folder.path))
        model.setClock("09:30")
    }

    /// The saga runner's work, done now (the terminal runs it on its own thread).
    mutating func runSaga() throws {
        try SagaRunner(store: desk.store, gateway: nil).runUntilIdle()
        model.bookingsChanged()
    }

    mutating func press(_ keys: Key...) {
        for key in keys { _ = model.handle(key) }
    }

    mutating func type(_ text: String) {
        for character in text { _ = model.handle(.character(character)) }
    }

    /// A guest's name and e-mail typed into the open booking form.
    mutating func typeGuest(_ name: String, _ email: String) {
        type(name)
        press(.tab)
        type(email)
    }

    /// The code of the booking whose room the form holds (Enter pressed, the saga not run yet);
    /// nil, with an issue recorded, when it holds none.
    func heldCode(sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        guard case .holding(let code)? = model.state.booking?.progress else {
            Issue.record("not held: \(String(describing: model.state.booking?.progress))", sourceLocation: sourceLocation)
            return nil
        }
        return code
    }

    /// A key that asks for a line (Alt-g: a date, a range), the line, and Enter.
    mutating func answer(_ key: Key, with text: String) {
        press(key)
        type(text)
        press(.enter)
    }

    /// The screen as the terminal would paint it at that size (the room plan reads as many
    /// nights as fit).
    func screen(_ width: Int = 80, _ height: Int = 24) -> String { model.screen(width, height) }

    func buffer(_ width: Int = 80, _ height: Int = 24) -> CellBuffer { model.buffer(width, height) }
}

extension DeskModel {
    /// The screen as the terminal would paint it at that size, as text.
    func screen(_ width: Int = 80, _ height: Int = 24) -> String {
        buffer(width, height).lines.joined(separator: "\n")
    }

    /// The cells painted at that size (the room plan reads as many nights as fit).
    func buffer(_ width: Int = 80, _ height: Int = 24) -> CellBuffer {
        var sized = self
        sized.setViewSize(width: width, height: height)
        return sized.render(width: width, height: height)
    }
}
