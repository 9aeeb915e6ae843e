@testable import MockWebex
import XCTest
import Foundation
final class MockProfTests: XCTestCase {
    func testProf() {
        let n = 200_000
        let s = String(repeating: "abcdefghij", count: 33)
        var t = Date()
        var sink = 0
        for _ in 0..<n { sink &+= Array(s.utf8).count }
        print("Array(utf8)", Date().timeIntervalSince(t)); t = Date()
        for _ in 0..<n { var s2 = s; sink &+= s2.withUTF8 { Array($0) }.count }
        print("withUTF8 Array", Date().timeIntervalSince(t)); t = Date()
        for _ in 0..<n { var s2 = s; sink &+= s2.withUTF8 { [UInt8](UnsafeRawBufferPointer($0)) }.count }
        print("withUTF8 raw", Date().timeIntervalSince(t)); t = Date()
        for _ in 0..<n { var a = [UInt8](); a.reserveCapacity(400); var s2 = s; s2.withUTF8 { a.append(contentsOf: $0) }; sink &+= a.count }
        print("append contents", Date().timeIntervalSince(t)); t = Date()
        for _ in 0..<n { sink &+= Data(s.utf8).count }
        print("Data(utf8)", Date().timeIntervalSince(t)); t = Date()
        for _ in 0..<n { var x = ""; x.reserveCapacity(400); for _ in 0..<12 { x.append("abcdefghijklmnopqrstuvw") }; sink &+= x.utf8.count }
        print("12 appends", Date().timeIntervalSince(t)); t = Date()
        for _ in 0..<n { sink &+= s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) ? 1 : 0 }
        print("contains scan 330", Date().timeIntervalSince(t)); t = Date()
        var d: [UInt64: Int] = [:]
        for i in 0..<n { d[UInt64(i)] = i }
        print("dict int", Date().timeIntervalSince(t)); t = Date()
        print(sink)
    }
}
