/// Keys in the order they arrived, with removal and re-arrival (a key that comes back goes to
/// the end). Removal is O(1); dead slots are compacted once they are half the list.
struct ArrivalOrder {
    private var slots: [(key: String, seq: Int)] = []
    private var live: [String: Int] = [:]
    private var nextSeq = 0

    var count: Int { live.count }
    func contains(_ key: String) -> Bool { live[key] != nil }

    /// Appends `key`, or moves it to the end when it is already there.
    mutating func append(_ key: String) {
        nextSeq += 1
        live[key] = nextSeq
        slots.append((key, nextSeq))
        compactIfSparse()
    }

    mutating func remove(_ key: String) {
        guard live.removeValue(forKey: key) != nil else { return }
        compactIfSparse()
    }

    /// Visits the keys oldest first until `body` returns false.
    func forEach(_ body: (String) -> Bool) {
        for s in slots where live[s.key] == s.seq {
            if !body(s.key) { return }
        }
    }

    var ordered: [String] {
        var out: [String] = []
        out.reserveCapacity(live.count)
        forEach { out.append($0); return true }
        return out
    }

    private mutating func compactIfSparse() {
        guard slots.count > 64 && slots.count > 2 * live.count else { return }
        slots = slots.filter { live[$0.key] == $0.seq }
    }
}
