import Foundation
@testable import SparkSpaceCLI
import XCTest

/// The suites whose every `run` needs no process of its own (no signal, no pipe closed early, no
/// terminal, no listener, no install, no shell): their command lines run in this process
/// (`runInProcess`), against the same mock over HTTP, with the same environment, stdin and
/// assertions, and waits on `Retry-After` that take no time. A test of such a suite that does need
/// the process calls `spark` (or `runOnTerminal`) itself.
let inProcessSuites: Set<String> = [
    "RoomsTests", "RoomsUpdateTests", "TeamAdminTests", "PeopleApiVersionTests", "MessagesTests",
    "ParticipantsTests", "ParticipantsSetTests", "AuditRoleTests", "WalkThreadsTests", "DryRunTests",
    "TableOutputTests", "SettingsFileTests", "HTTPErrorTextTests", "ConformanceAuditTests", "ManifestTests",
    "AttachmentsTests", "WalkMessagesTests", "ParallelWalkTests", "FaultSuiteTests", "HostileServerTests",
    "TrustTests", "ProvisionTests", "OutputForPeopleTests", "FoundationTests", "PostTests", "PostThreadsCardsTests",
    "WebhooksTests", "WebhookAdminTests", "CardTests",
    "NewcomerTests", "ArchiveTests", "ProvisionExportTests", "PullTests", "ThinSpotsTests", "BulkStreamingTests",
    "HostileFilesInputTests", "AuthTests",
]

/// Tests of those suites whose `run` still needs the binary: what they assert is the wall time
/// of real waits, or they time the binary to kill it part way.
let binaryTests: Set<String> = [
    // The notices count real seconds down, and the budget is spent in wall time.
    "NewcomerTests.testConcurrentWaitsSpendTheBudgetOnceAndNoticesCountDownInOrder",
    // The run that is timed must be the binary's: its kills land at random instants of that time.
    "ArchiveTests.testKilledAtRandomPointsTheArchiveEqualsACleanOneByteForByte",
    // The mock, as Webex, counts the seconds between polls; the tests assert them on the clock.
    "AuthTests.testLoginWithApprovalAfterSeveral428s", "AuthTests.testDeniedIsExit3AndStoresNothing",
    // The second poll must come 5 s (slow_down) after the first, on the clock.
    "AuthTests.testSlowDownAddsFiveSeconds",
    // The code expires on the clock: without real waits between polls it would poll non-stop.
    "AuthTests.testExpiredCodeIsExit1",
]

/// Runs `arguments` in this process as `spark` runs the binary: only the environment given (plus
/// PATH, HOME at a scratch directory, LANG), `stdin` fed, stdout and stderr captured.
func sparkInProcess(_ arguments: [String], env: [String: String] = [:], stdin: String? = nil) -> RunResult {
    var environment = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory() + "spark-space-home-none",
                       "LANG": "C.UTF-8"]
    environment.merge(env) { _, new in new }
    let run = runInProcess(arguments, console: TestConsole(stdin: stdin ?? "", environment: environment))
    return RunResult(code: run.status, stdout: run.stdout, stderr: run.stderr, stdoutData: Data(run.stdoutBytes))
}

extension MockTestCase {
    /// This test's suite runs its command lines in process (`inProcessSuites`).
    var runsInProcess: Bool {
        let suite = String(describing: type(of: self))
        let test = name.split(whereSeparator: { " []-.".contains($0) }).last.map(String.init) ?? name
        return inProcessSuites.contains(suite) && !binaryTests.contains(suite + "." + test)
    }

    /// Runs the binary against this test's mock, in any suite: for what needs the process (an
    /// environment the library reads itself, such as TMPDIR).
    func runBinary(_ arguments: [String], env extra: [String: String] = [:], stdin: String? = nil) throws -> RunResult {
        try spark(arguments, env: env.merging(extra) { _, new in new }, stdin: stdin)
    }
}
