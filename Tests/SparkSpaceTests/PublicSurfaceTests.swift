import XCTest
@testable import SparkSpace

/// The library's typed surface: methods, the one wait rule, one wording of message problems.
final class PublicSurfaceTests: XCTestCase {
    func testMethodsAreTypedAndPrintAsOnTheWire() {
        XCTAssertEqual(RequestMethod.post.description, "POST")
        XCTAssertEqual("\(RequestMethod.delete)", "DELETE")
        XCTAssertEqual(RequestMethod.allCases.filter(\.isRead), [.get, .head])
        XCTAssertEqual(RequestMethod(rawValue: "PATCH"), .patch)
        XCTAssertNil(RequestMethod(rawValue: "post"), "the wire name only")
    }

    /// One rule of which statuses mean wait, and the retry decision follows it.
    func testOneRuleOfWhichStatusesMeanWait() {
        for status in 100..<600 {
            let waits = RetryPolicy.meansWait(status)
            XCTAssertEqual(waits, status == 429 || status == 423, "\(status)")
            let decision = RetryPolicy().decide(method: .post, outcome: .status(status, retryAfter: "2"), retries: 0,
                                                budget: WaitBudget(seconds: 10))
            if waits { XCTAssertEqual(decision, .retry(after: 2), "\(status)") }
        }
    }

    /// One wording of each problem: the library names the parts, the command line its flags.
    func testOneWordingOfMessageProblems() {
        let problem = MessageProblem.cardNeedsFallback
        XCTAssertEqual(problem.description, "the card needs the text or the markdown: the fallback shown by clients without cards")
        XCTAssertEqual(problem.text { "--" + $0.rawValue },
                       "--card needs --text or --markdown: the fallback shown by clients without cards")
        XCTAssertEqual(MessageProblem.notAnEmail("bob").description, "a mention takes an e-mail address, not 'bob'")
        XCTAssertEqual(MessageProblem.fileIsDirectory(path: "/tmp").description, "the file /tmp is a directory; give one file")
    }

    func testLookupKindsAreTyped() {
        XCTAssertEqual(SparkError.notFound(kind: .id(.webhook), name: "W1", suggestions: []).description,
                       "no webhook with id W1")
    }
}
