import Foundation

/// A whole made-up hotel with years of bookings, for demos, training and benchmarks.
/// Pure: the same parameters and seed always give the same hotel.
public struct DemoHotel: Sendable {
    public let hotel: Hotel
    public let roomTypes: [RoomType]
    public let rooms: [Room]
    public let bookings: [Booking]
}

public struct DemoHotelGenerator: Sendable {
    public var roomCount: Int
    public var days: Int
    public var occupancy: Double
    public var seed: UInt64
    public var businessDate: CalendarDate
    public var now: Date
    public var pricing: PricingPolicy = .standard
    /// The hotel's name (a chain's demo names each of its hotels apart).
    public var name = "Hotel Aurora"

    public init(roomCount: Int, days: Int, occupancy: Double, seed: UInt64, businessDate: CalendarDate, now: Date) {
        self.roomCount = roomCount
        self.days = days
        self.occupancy = occupancy
        self.seed = seed
        self.businessDate = businessDate
        self.now = now
    }

    /// Where the demo hotel is: its business date is the date there, not in UTC.
    public static let timeZoneIdentifier = "Europe/Vienna"

    /// The demo hotel's business date at `instant` (what its desk will show once it exists),
    /// unless a date is given (`FRONTDESK_TODAY`).
    public static func businessDate(at instant: Date, override: CalendarDate? = nil) -> CalendarDate {
        override ?? CalendarDate.today(in: TimeZone(identifier: timeZoneIdentifier)!, at: instant)
    }

    public static let roomLimit = 1...5000
    public static let dayLimit = 1...3660

    public func validate() throws(FrontDeskError) {
        var problems: [String] = []
        if !Self.roomLimit.contains(roomCount) { problems.append("Rooms must be between 1 and 5000") }
        if !Self.dayLimit.contains(days) { problems.append("Days must be between 1 and 3660") }
        if !(0...1).contains(occupancy) { problems.append("Occupancy must be between 0 and 1 (for example 0.7)") }
        if !problems.isEmpty { throw .validationFailed(problems) }
    }

    struct TypeSpec {
        let name: String, capacity: Int, price: Int64, share: Double
    }

    static let typeSpecs = [
        TypeSpec(name: "Single", capacity: 1, price: 7900, share: 0.10),
        TypeSpec(name: "Double", capacity: 2, price: 12900, share: 0.35),
        TypeSpec(name: "Twin", capacity: 2, price: 11900, share: 0.20),
        TypeSpec(name: "Deluxe King", capacity: 2, price: 17900, share: 0.15),
        TypeSpec(name: "Family", capacity: 4, price: 21900, share: 0.12),
        TypeSpec(name: "Junior Suite", capacity: 3, price: 28900, share: 0.08),
    ]

    /// Stay lengths in nights with their weights: mostly short, a tail of week-long stays.
    static let stayLengths: [(nights: Int, weight: Int)] = [(1, 25), (2, 25), (3, 20), (4, 10), (5, 8), (7, 7), (10, 5)]

    /// The id `generate` gives the hotel (the seed's first draw), known without generating it.
    public var hotelId: UUID {
        var random = SeededGenerator(seed: seed)
        return Self.uuid(&random)
    }

    public func generate() -> DemoHotel {
        var random = SeededGenerator(seed: seed)
        let hotel = Hotel(id: Self.uuid(&random), name: name, timeZoneIdentifier: Self.timeZoneIdentifier, currency: "EUR")
        let types = Self.typeSpecs.map {
            RoomType(id: Self.uuid(&random), hotelId: hotel.id, name: $0.name, capacity: $0.capacity,
                     basePricePerNight: Money(minorUnits: $0.price))
        }
        let rooms = makeRooms(hotel: hotel, types: types, random: &random)
        let typeById = Dictionary(uniqueKeysWithValues: types.map { ($0.id, $0) })

        let firstNight = businessDate.adding(days: -(days / 2))
        let endNight = firstNight.adding(days: days)
        let meanStay = Double(Self.stayLengths.map { $0.nights * $0.weight }.reduce(0, +))
            / Double(Self.stayLengths.map(\.weight).reduce(0, +))
        let hotelLoad = PricingPolicy.NightLoad(held: Int((occupancy * 100).rounded()), active: 100)
        var priceMemo: [PriceKey: Money] = [:]
        var codes = Set<String>()
        var bookings: [Booking] = []
        bookings.reserveCapacity(occupancy > 0 ? Int(Double(roomCount * days) * occupancy / meanStay) + roomCount : 0)

        for room in rooms where occupancy > 0 {
            let type = typeById[room.roomTypeId]!
            // Some rooms sell better than others; together they average the asked occupancy.
            let roomAppeal = Double.random(in: 0.75...1.25, using: &random)
            var cursor = firstNight.adding(days: Int.random(in: 0...3, using: &random))
            // A guest due out today and not gone yet: today's next arrival in the room waits to be
            // checked in (the desk refuses a second guest in a room; the demo had made two).
            var departingGuestStillIn = false
            while cursor < endNight {
                let nights = min(Self.pickStayLength(&random), cursor.days(until: endNight))
                let stay = StayDates(checkIn: cursor, checkOut: cursor.adding(days: nights))!
                let lead = Int.random(in: 0...120, using: &random)
                let bookedOn = stay.checkIn.adding(days: -lead)
                let prices = stay.nights.map { night in
                    let key = PriceKey(type: type.id, month: night.month, lead: min(lead, 90), nights: min(nights, 14))
                    if let cached = priceMemo[key] { return NightlyPrice(night: night, price: cached) }
                    let price = pricing.nightlyPrices(
                        basePrice: type.basePricePerNight, stay: StayDates(checkIn: night, checkOut: night.adding(days: nights))!,
                        businessDate: night.adding(days: -lead), load: { _ in hotelLoad }
                    )[0].price
                    priceMemo[key] = price
                    return NightlyPrice(night: night, price: price)
                }
                var code = ConfirmationCode.make(using: &random)
                while !codes.insert(code).inserted { code = ConfirmationCode.make(using: &random) }
                var (status, version) = demoStatus(stay: stay, random: &random)
                if status == .checkedIn && stay.checkIn == businessDate && departingGuestStillIn { (status, version) = (.confirmed, 2) }
                if status != .cancelled { departingGuestStillIn = status == .checkedIn && stay.checkOut == businessDate }
                // Never after now: a stay further ahead than its lead was booked, like the rest,
                // before today (pickup counts by creation and found next summer sold already).
                // Spread over the last 90 days by its distance, not all made this minute (pickup's
                // today), with no draw of its own (a seed makes the same hotel as before).
                let hour = 9 + Int.random(in: 0...10, using: &random)
                let madeOn = bookedOn <= businessDate ? bookedOn : businessDate.adding(days: -(businessDate.days(until: stay.checkIn) % 90) - 1)
                let created = min(now, Self.instant(madeOn, hour: hour))
                bookings.append(Booking(
                    id: Self.uuid(&random), hotelId: hotel.id, roomId: room.id, roomNumber: room.number,
                    confirmationCode: code, guest: DemoGuests.pick(&random),
                    guestCount: Int.random(in: 1...type.capacity, using: &random), stay: stay, status: status,
                    nightlyPrices: prices, version: version, holdExpiresAt: nil,
                    statusReason: status == .cancelled ? "Guest cancelled" : nil,
                    createdAt: created, updatedAt: max(created, min(now, Self.instant(status == .confirmed ? madeOn : stay.checkIn, hour: 15)))
                ))
                // A cancelled stay frees its nights for the next guest.
                let next = status == .cancelled ? stay.checkIn : stay.checkOut
                let target = min(0.98, max(0.02, occupancy * roomAppeal * Self.seasonality[next.month - 1]))
                cursor = next.adding(days: Self.gap(meanStay: meanStay, occupancy: target, random: &random))
                if status == .cancelled { cursor = max(cursor, stay.checkIn.adding(days: 1)) }
            }
        }
        return DemoHotel(hotel: hotel, roomTypes: types, rooms: rooms, bookings: bookings)
    }

    struct PriceKey: Hashable {
        let type: UUID, month: Int, lead: Int, nights: Int
    }

    /// Past stays are checked out, stays over tonight checked in, future ones confirmed; of today's
    /// arrivals and departures about half are still to come, so the desk has work to do. About 4%
    /// of all bookings were cancelled.
    func demoStatus(stay: StayDates, random: inout SeededGenerator) -> (BookingStatus, Int) {
        let coinFlip = Bool.random(using: &random)
        if Int.random(in: 0..<100, using: &random) < 4 { return (.cancelled, 3) }
        if stay.checkOut < businessDate { return (.checkedOut, 4) }
        if stay.checkOut == businessDate { return coinFlip ? (.checkedOut, 4) : (.checkedIn, 3) }
        if stay.checkIn < businessDate { return (.checkedIn, 3) }
        if stay.checkIn == businessDate { return coinFlip ? (.checkedIn, 3) : (.confirmed, 2) }
        return (.confirmed, 2)
    }

    func makeRooms(hotel: Hotel, types: [RoomType], random: inout SeededGenerator) -> [Room] {
        let floors = max(1, (roomCount + 49) / 50)
        let perFloor = (roomCount + floors - 1) / floors
        var cumulative: [(upTo: Double, type: RoomType)] = []
        var total = 0.0
        for (spec, type) in zip(Self.typeSpecs, types) {
            total += spec.share
            cumulative.append((total, type))
        }
        return (0..<roomCount).map { index in
            let position = (Double(index) + 0.5) / Double(roomCount)
            let type = cumulative.first { position <= $0.upTo }?.type ?? types.last!
            let number = String((index / perFloor + 1) * 100 + index % perFloor + 1)
            return Room(id: Self.uuid(&random), hotelId: hotel.id, roomTypeId: type.id, number: number, isActive: true)
        }
    }

    /// Demand by month (January first), averaging 1: summer and Christmas sell, January does not.
    static let seasonality = [0.8, 0.85, 0.95, 1.0, 1.05, 1.15, 1.2, 1.2, 1.05, 1.0, 0.85, 0.95]

    /// Nights until the next stay. Its mean makes the room sold `occupancy` of the time; 40% of
    /// stays follow back to back, the rest after an exponential gap, which leaves real holes
    /// to sell (an even spread would leave no room free for three nights).
    static func gap(meanStay: Double, occupancy: Double, random: inout SeededGenerator) -> Int {
        let meanGap = meanStay * (1 - occupancy) / occupancy
        guard Double.random(in: 0..<1, using: &random) >= 0.4 else { return 0 }
        let uniform = Double.random(in: Double.ulpOfOne..<1, using: &random)
        return Int((-log(uniform) * meanGap / 0.6).rounded())
    }

    static func pickStayLength(_ random: inout SeededGenerator) -> Int {
        var roll = Int.random(in: 0..<stayLengths.map(\.weight).reduce(0, +), using: &random)
        for entry in stayLengths {
            if roll < entry.weight { return entry.nights }
            roll -= entry.weight
        }
        return 1
    }

    static func uuid(_ random: inout SeededGenerator) -> UUID {
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<16 { bytes[index] = UInt8.random(in: 0...255, using: &random) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }

    static func instant(_ date: CalendarDate, hour: Int) -> Date {
        Date(timeIntervalSince1970: TimeInterval(date.dayNumber * 86_400 + hour * 3600))
    }
}

/// Guests from many countries, so screens meet accents and double-width names from day one.
enum DemoGuests {
    static let given = [
        "Anna", "Lukas", "Sophie", "Jonas", "Zoë", "Björn", "Chloé", "Mateo", "Olivia", "Noah", "Amélie", "Søren",
        "Giulia", "Marco", "Aisha", "Omar", "Priya", "Arjun", "Mei", "Hiroshi", "Yuki", "Ji-woo", "Ines", "Tomás",
        "Fatima", "Liam", "Emma", "Mia", "Elias", "Léa", "Nikolaj", "Agnieszka", "Dmitri", "Ana", "Kwame", "Zeynep",
    ]
    static let family = [
        "Müller", "Schmidt", "Ångström", "García", "Rossi", "Dubois", "Nowak", "Kowalski", "Jensen", "Novák",
        "O'Brien", "Smith", "Johnson", "Fernández", "Silva", "Yılmaz", "Papadopoulos", "Nguyen", "Kim", "Sato",
        "Patel", "Haddad", "Mensah", "Larsen", "Virtanen", "Horváth", "Dvořák", "Weiß", "Çelik", "Öztürk",
    ]
    /// Names written in their own script, with a romanization for the e-mail address.
    static let native: [(name: String, romanized: String)] = [
        ("山田太郎", "taro.yamada"), ("佐藤花子", "hanako.sato"), ("王伟", "wei.wang"), ("李娜", "na.li"),
        ("김민준", "minjun.kim"), ("Σοφία Παπαδοπούλου", "sofia.papadopoulou"), ("Иван Петров", "ivan.petrov"),
    ]
    static let domains = ["example.com", "mail.example.org", "example.net", "post.example.at"]

    static func pick(_ random: inout SeededGenerator) -> Guest {
        let domain = domains.randomElement(using: &random)!
        let phone = Int.random(in: 0..<10, using: &random) < 6
            ? "+43 \(Int.random(in: 650...699, using: &random)) \(Int.random(in: 1_000_000...9_999_999, using: &random))" : nil
        if Int.random(in: 0..<100, using: &random) < 8 {
            let person = native.randomElement(using: &random)!
            return Guest(name: person.name, email: "\(person.romanized)@\(domain)", phone: phone)
        }
        let first = given.randomElement(using: &random)!
        let last = family.randomElement(using: &random)!
        return Guest(name: "\(first) \(last)", email: "\(ascii(first)).\(ascii(last))@\(domain)", phone: phone)
    }

    static func ascii(_ text: String) -> String {
        let replacements: [Character: String] = ["ø": "o", "å": "a", "ß": "ss", "ı": "i", "'": ""]
        let folded = text.lowercased().map { replacements[$0] ?? String($0) }.joined()
            .folding(options: .diacriticInsensitive, locale: nil)
        return folded.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }
}
