import FrontDeskDomain
import Testing

@Suite struct CardNumberTests {
    @Test func aCardIsShownByItsLastFourDigits() {
        #expect(CardNumber.masked("4242424242424242") == "•••• 4242")
        #expect(CardNumber.masked("4000 0000 0000 0002") == "•••• 0002")
    }

    @Test(arguments: [
        ("Card 4242424242424242 declined", "Card •••• 4242 declined"),
        ("card=4242 4242 4242 4242.", "card=•••• 4242."),
        ("\"4000-0000-0000-0002\"", "\"•••• 0002\""),
        ("5555555555554444 and 378282246310005", "•••• 4444 and •••• 0005"),
        ("Amex 3782 822463 10005", "Amex •••• 0005"),
        ("山田様 4242424242424242 ✓ 済", "山田様 •••• 4242 ✓ 済"),   // text around it kept whole
        // Typed against a word: a typing slip, still a card.
        ("Visa4242424242424242", "Visa•••• 4242"),
        ("card4242424242424242@b.at", "card•••• 4242@b.at"),
        ("x4242424242424242", "x•••• 4242"),
        ("Café4242424242424242", "Café•••• 4242"),
        ("4242424242424242é", "•••• 4242é"),
        ("山田様4242424242424242", "山田様•••• 4242"),
        ("cc4111111111111111", "cc•••• 1111"),          // a card's abbreviation is no hash
        ("AE378282246310005", "AE•••• 0005"),
        ("a4242424242424242", "a•••• 4242"),
        ("4242 4242 4242 4242abc", "•••• 4242abc"),
        // Shorter than 16 digits where a scheme issues them: Diners' 14, Maestro's 12 and 14.
        ("Diners 30569309025904", "Diners •••• 5904"),
        ("36227206271667", "•••• 1667"),
        ("Maestro 501800000009", "Maestro •••• 0009"),
        ("58930000000009", "•••• 0009"),
    ])
    func cardNumbersInTextAreMasked(_ text: String, _ expected: String) {
        #expect(CardNumber.redacted(in: text) == expected)
    }

    @Test(arguments: [
        "+43 664 1234567890",            // a phone, however long
        "0664 4242 4242 4242",           // a phone starting with 0
        "4242424242424241",              // fails the Luhn check: no card
        "Stay 2026-12-01 2026-12-03",    // dates (these two pass the Luhn check)
        "2026-12-01-2026-12-03",
        "ce2b1772-7d14-4f16-a68f-e4cb4a9dd8d8", // an id
        "424242424242424242424",         // 21 digits: no card
        "Room 101, 2 guests, EUR 482.95",
        "deadbeef4242424242424242cafe",  // inside a hexadecimal word (a hash, a key)
        "4242424242424242f00dcafe",
        "…deadbeef4242424242424242",     // a mark that is no letter ends the word
        // Phone numbers typed without "+" that pass the Luhn check, of lengths no card of their
        // first digits has: a UK and a German mobile, as a phone and as an SMS gateway's e-mail.
        "447911123456",
        "491701234560",
        "491701234560@example.de",
        "491701234567898",                // 15 digits: only Amex's (34, 37) are cards
    ])
    func otherNumbersAreLeftAlone(_ text: String) {
        #expect(CardNumber.redacted(in: text) == text)
    }
}
