import Foundation

extension MockWebexServer {
    /// From now on, listing the messages of `roomId` answers `status` after the first `after`
    /// such requests went through: a room that starts failing in the middle of a walk.
    public func failMessages(roomId: String, status: Int = 500, after: Int = 0) {
        lock.lock(); defer { lock.unlock() }
        failingRooms[roomId] = (status, after)
    }

    /// Lets the room's messages be listed again.
    public func healMessages(roomId: String) {
        lock.lock(); defer { lock.unlock() }
        failingRooms[roomId] = nil
    }

    /// The status a request gets from `failMessages`, nil when none (lock held).
    func roomFailure(method: String, path: String, query: [String: String]) -> Int? {
        guard method == "GET", path == "/messages", let roomId = query["roomId"],
              let rule = failingRooms[roomId] else { return nil }
        if rule.after > 0 {
            failingRooms[roomId] = (rule.status, rule.after - 1)
            return nil
        }
        return rule.status
    }
}
