// Floor for issue 10's start-up figures: a Swift program that links Foundation statically
// (`swiftc -O -static-stdlib`) and uses it (a date, a formatted number), then exits.
import Foundation

let seconds = Date().timeIntervalSince1970
print("hello at \(Int(seconds)) \(URL(fileURLWithPath: "/tmp").path)")
