import Foundation
import XCTest

/// `make install` / `make uninstall` into a scratch PREFIX, with the debug binary.
final class InstallTests: XCTestCase {
    let installed = [
        "bin/spark-space", "share/man/man1/spark-space.1", "share/bash-completion/completions/spark-space",
        "share/zsh/site-functions/_spark-space", "share/fish/vendor_completions.d/spark-space.fish",
    ]

    func make(_ arguments: [String]) throws -> RunResult {
        let result = try runTool("make", ["--no-print-directory", "-C", repoRoot.path] + arguments)
        if result.code == 127 { XCTFail("make is not installed (apt-get install make)") }
        return result
    }

    func testInstallThenUninstallLeavesNoFileBehind() throws {
        let prefix = try temporaryDirectory()
        let install = try make(["install", "PREFIX=\(prefix.path)", "BIN=\(binaryURL.path)"])
        XCTAssertEqual(install.code, 0, install.stderr)
        for path in installed {
            XCTAssertTrue(FileManager.default.fileExists(atPath: prefix.appendingPathComponent(path).path), path)
        }
        let version = try runTool(prefix.appendingPathComponent("bin/spark-space").path, ["--version"])
        XCTAssertTrue(version.stdout.hasPrefix("spark-space "), version.stdout)
        XCTAssertEqual(try String(contentsOf: prefix.appendingPathComponent(installed[1]), encoding: .utf8),
                       try repoFile("man/spark-space.1"))

        let uninstall = try make(["uninstall", "PREFIX=\(prefix.path)"])
        XCTAssertEqual(uninstall.code, 0, uninstall.stderr)
        XCTAssertEqual(try files(under: prefix), [])
    }

    /// `make install` strips the binary: no symbol table left (`readelf -S` lists no `.symtab`).
    func testInstalledBinaryIsStripped() throws {
        let prefix = try temporaryDirectory()
        XCTAssertEqual(try make(["install", "PREFIX=\(prefix.path)", "BIN=\(binaryURL.path)"]).code, 0)
        let installedBinary = prefix.appendingPathComponent("bin/spark-space").path
        let sections = try runTool("readelf", ["-S", "-W", installedBinary])
        XCTAssertEqual(sections.code, 0, "readelf (binutils) is needed: " + sections.stderr)
        XCTAssertTrue(sections.stdout.contains(".text"), sections.stdout)
        XCTAssertFalse(sections.stdout.contains(".symtab"), "not stripped:\n" + sections.stdout)
        let original = try runTool("readelf", ["-S", "-W", binaryURL.path])
        XCTAssertTrue(original.stdout.contains(".symtab"), "the build itself keeps its symbols")
    }

    /// Issue #13: `Sources/` uses FoundationEssentials, so neither Foundation nor ICU is linked
    /// (in the debug build they would show as shared libraries).
    func testBinaryLinksNeitherFoundationNorICU() throws {
        let libraries = try runTool("ldd", [binaryURL.path])
        XCTAssertEqual(libraries.code, 0, libraries.stderr)
        XCTAssertTrue(libraries.stdout.contains("libyaml"), libraries.stdout)
        for name in ["libFoundation.so", "ICU", "libicu", "Networking", "FoundationXML"] {
            XCTAssertFalse(libraries.stdout.contains(name), "\(name) is linked:\n" + libraries.stdout)
        }
    }

    /// bash-completion and fish find what was installed where they look.
    func testInstalledFilesAreWhereTheToolsLook() throws {
        let prefix = try temporaryDirectory()
        XCTAssertEqual(try make(["install", "PREFIX=\(prefix.path)", "BIN=\(binaryURL.path)"]).code, 0)
        let share = prefix.appendingPathComponent("share").path
        // The shells load completions on demand, for a command on the PATH, from XDG_DATA_DIRS.
        let env = ["XDG_DATA_DIRS": share, "PATH": prefix.path + "/bin:/usr/bin:/bin"]
        let bash = try runTool("bash", ["--norc", "--noprofile", "-c", """
            source /usr/share/bash-completion/bash_completion
            __load_completion spark-space && complete -p spark-space
            """], env: env)
        XCTAssertTrue(bash.stdout.contains("-F _spark_space spark-space"), bash.stdout + bash.stderr)
        // Not --no-config: that also drops the vendor completion directories.
        let fish = try runTool("fish", ["-c", "complete -C'spark-space sett'"], env: env)
        XCTAssertTrue(fish.stdout.hasPrefix("settings\t"), fish.stdout + fish.stderr)
    }

    func testDestdirStagesUnderThePrefix() throws {
        let stage = try temporaryDirectory()
        let install = try make(["install", "DESTDIR=\(stage.path)", "PREFIX=/opt/spark", "BIN=\(binaryURL.path)"])
        XCTAssertEqual(install.code, 0, install.stderr)
        XCTAssertEqual(try files(under: stage), installed.map { "opt/spark/" + $0 }.sorted())
    }

    func testInstallWithoutABinaryFailsAndSaysWhy() throws {
        let prefix = try temporaryDirectory()
        let install = try make(["install", "PREFIX=\(prefix.path)", "BIN=\(prefix.path)/missing"])
        XCTAssertNotEqual(install.code, 0)
        XCTAssertTrue(install.stderr.contains("swift build -c release"), install.stderr)
        XCTAssertEqual(try files(under: prefix), [])
    }

    /// Regular files under `dir`, relative and sorted.
    private func files(under dir: URL) throws -> [String] {
        let base = dir.resolvingSymlinksInPath().path + "/"
        let walker = FileManager.default.enumerator(at: dir.resolvingSymlinksInPath(), includingPropertiesForKeys: [.isRegularFileKey])!
        return walker.compactMap { item -> String? in
            let url = item as! URL
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { return nil }
            return String(url.resolvingSymlinksInPath().path.dropFirst(base.count))
        }.sorted()
    }
}
