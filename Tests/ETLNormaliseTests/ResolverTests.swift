import ETLCore
import Testing

@testable import ETLNormalise

/// Resolution on small hand-made registers. All values are synthetic.
@Suite struct ResolverTests {
    /// A person's clean record in a source; tests change what they need.
    private func record(
        _ source: Int, _ key: String, name: String = "张晓伟", id: String? = "510107198503120036",
        sex: SexCode? = .male, birth: String? = "1985-03-12", phone: String? = "13812345678",
        address: String? = "武侯区玉林街道芳草街12号"
    ) -> ResolverInput {
        ResolverInput(
            source: source, key: key, name: name, idNumber: id, sexCode: sex, birthDate: birth, phone: phone,
            address: address)
    }

    /// A background of distinct people, so that the model has non-matches to learn from.
    private func background(_ count: Int) -> [ResolverInput] {
        let surnames = Array("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗").map(String.init)
        let given = Array("伟强磊军勇杰涛明超刚平辉鹏华飞芳娜敏静丽艳娟霞燕玲").map(String.init)
        var records: [ResolverInput] = []
        for index in 0..<count {
            let name =
                surnames[index % surnames.count] + given[(index / 7) % given.count] + given[(index / 3) % given.count]
            let birth = "19\(50 + index % 50)-0\(1 + index % 9)-1\(index % 10)"
            let body = "510104" + birth.replacingOccurrences(of: "-", with: "") + String(format: "%03d", index % 1000)
            let id = body + String(UnicodeScalar(IDNumber.checkCharacter(for: Array(body.utf8))))
            let phone = "139" + String(format: "%08d", index * 7919 % 100_000_000)
            for source in 0..<(1 + index % 3) {
                records.append(
                    record(
                        source, "B\(index)-\(source)", name: name, id: id, birth: birth, phone: phone,
                        address: "锦江区春熙路街道红星路\(index % 300)号"))
            }
        }
        return records
    }

    /// A valid ID number: the 17 digits and their check character.
    private func valid(_ body: String) -> String {
        body + String(UnicodeScalar(IDNumber.checkCharacter(for: Array(body.utf8))))
    }

    private func residents(_ records: [ResolverInput]) -> [Set<String>] {
        let resolution = Resolver().resolve(records)
        return resolution.clusters.map { Set($0.map { "\(records[$0].source):\(records[$0].key)" }) }
    }

    private func together(_ keys: [String], in clusters: [Set<String>]) -> Bool {
        clusters.contains { cluster in keys.allSatisfy(cluster.contains) }
    }

    @Test func theSameResidentWithDirtyValuesBecomesOne() {
        let records =
            background(400) + [
                record(0, "A1"),
                record(1, "A2", name: "章 晓伟", id: "５１０１０７１９８５０３１２００３６", phone: "+86-138 1234 5678"),
                record(2, "A3", name: "张晓伟", id: "510107850312003", address: "四川省成都市武侯区玉林街道芳草街12号"),
                record(2, "A4", id: "510107198503120063", phone: nil),  // swapped digits: the checksum fails
            ]
        #expect(together(["0:A1", "1:A2", "2:A3", "2:A4"], in: residents(records)))
    }

    @Test func theSameValidIDNumberLinksEvenInATinyRegister() {
        let records = [
            record(0, "A1"), record(1, "A2", name: "章伟", phone: nil), record(2, "A3", birth: nil, address: nil),
            record(0, "B1", name: "李娜", id: valid("51010419900101004"), sex: .female, birth: "1990-01-01"),
        ]
        let clusters = residents(records)
        #expect(together(["0:A1", "1:A2", "2:A3"], in: clusters))
        #expect(!together(["0:A1", "0:B1"], in: clusters))
    }

    @Test func twoValidIDNumbersAreTwoPeopleHoweverAlike() {
        #expect(IDNumber("510107198503120052").status == .valid)
        let records = background(300) + [record(0, "A1"), record(1, "A2", id: "510107198503120052")]
        let clusters = residents(records)
        #expect(!together(["0:A1", "1:A2"], in: clusters))
    }

    @Test func twinsStayApartAlsoWithoutAnIDNumber() {
        let records =
            background(300) + [
                record(0, "T1", name: "张晓伟", id: "510107198503120036"),
                record(0, "T2", name: "张晓磊", id: "510107198503120052"),
                record(1, "T3", name: "张晓磊", id: nil),
            ]
        let clusters = residents(records)
        #expect(!together(["0:T1", "0:T2"], in: clusters))
        #expect(!together(["0:T1", "1:T3"], in: clusters))
        #expect(together(["0:T2", "1:T3"], in: clusters))
    }

    @Test func householdMembersSharingAPhoneAndAddressStayApart() {
        let records =
            background(300) + [
                record(0, "H1", name: "刘建国", id: nil, birth: "1960-05-01"),
                record(1, "H2", name: "刘小红", id: nil, sex: .female, birth: "1988-09-09"),
                record(2, "H3", name: "陈秀英", id: nil, sex: .female, birth: "1962-11-30"),
            ]
        let clusters = residents(records)
        #expect(!together(["0:H1", "1:H2"], in: clusters))
        #expect(!together(["0:H1", "2:H3"], in: clusters))
    }

    @Test func aWeakChainDoesNotJoinTwoPeople() {
        // X has no ID number and looks like both A and B, who hold different valid numbers.
        let records =
            background(300) + [
                record(0, "A", name: "王芳", id: valid("51010719900101002"), sex: .female, birth: "1990-01-01"),
                record(1, "B", name: "王芳", id: valid("51010419900101004"), sex: .female, birth: "1990-01-01"),
                record(2, "X", name: "王芳", id: nil, sex: .female, birth: "1990-01-01"),
            ]
        #expect(!together(["0:A", "1:B"], in: residents(records)))
    }

    @Test func aRecordWithoutABirthDateMeetsItsNameBeyondTheWindow() {
        // One common name in many districts: the block is capped, and a record with neither birth
        // date nor ID number sorts first, far from its partner (who moved away and has both).
        var settings = ResolverSettings()
        settings.maxBlockSize = 20
        settings.blockWindow = 6
        var records = background(200)
        for index in 0..<60 {
            let birth = "19\(40 + index % 50)-0\(1 + index % 9)-2\(index % 8)"
            records.append(
                record(
                    0, "W\(index)", name: "王芳", id: valid("5101\(10 + index % 90)" + birth.filter(\.isNumber) + "002"),
                    sex: .female, birth: birth, phone: nil, address: "成华区建设路街道\(index)号"))
        }
        records.append(
            record(
                1, "P", name: "王芳", id: valid("51019819991231002"), sex: .female, birth: "1999-12-31", phone: nil,
                address: "温江区柳城街道1号"))
        records.append(record(2, "Q", name: "王芳", id: nil, sex: .female, birth: nil, phone: nil, address: nil))
        let diagnosis = Resolver(settings: settings).diagnose(
            records, pairs: [(records.count - 2, records.count - 1)])[0]
        #expect(diagnosis.compared)
        #expect(diagnosis.blockingKeys == [.pinyin])
    }

    @Test func aDroppedCharacterAndAMoveStillMeetByBirthDateAndSurname() {
        let records =
            background(300) + [
                record(0, "A", name: "欧阳晓伟", id: nil, phone: "13800000001", address: "锦江区春熙路街道1号"),
                record(1, "B", name: "欧阳伟", id: nil, phone: "13900000002", address: "温江区柳城街道2号"),
            ]
        let diagnosis = Resolver().diagnose(records, pairs: [(records.count - 2, records.count - 1)])[0]
        #expect(diagnosis.blockingKeys.contains(.birthDateAndSurname))
    }

    @Test func theOrderOfTheRecordsDoesNotChangeTheResidents() {
        let records = background(500) + [record(0, "A1"), record(1, "A2", name: "章晓伟")]
        var shuffled = records
        var generator = SplitMix64(seed: 7)
        shuffled.shuffle(using: &generator)
        #expect(Set(residents(records)) == Set(residents(shuffled)))
    }

    @Test func recordsThatComeInBatchesInOrderGiveTheSameResidents() {
        let records = background(500) + [record(0, "A1"), record(1, "A2", name: "章晓伟")]
        let sorted = records.sorted {
            $0.source != $1.source ? $0.source < $1.source : $0.key.utf8.lexicographicallyPrecedes($1.key.utf8)
        }
        var start = 0
        var asked: [Int] = []
        let streamed = Resolver().resolve(expectedCount: sorted.count) { limit in
            asked.append(limit)
            let end = min(sorted.count, start + 7)
            defer { start = end }
            return Array(sorted[start..<end])
        } decisions: {
            []
        }
        let places = { (clusters: [[Int]], inputs: [ResolverInput]) in
            Set(clusters.map { Set($0.map { "\(inputs[$0].source):\(inputs[$0].key)" }) })
        }
        #expect(places(Array(streamed.clusters), sorted) == Set(residents(records)))
        // Asked until a batch came back empty, once.
        #expect(asked.count == (sorted.count + 6) / 7 + 1)
    }

    @Test func aRegisterResolvedAPartitionOfPairsAtATimeGivesTheSameResidents() {
        let records = background(600) + [record(0, "A1"), record(1, "A2", name: "章晓伟", id: nil)]
        let whole = Resolver().resolve(records)
        var resolver = Resolver()
        resolver.pairsPerPartition = 100
        let parts = resolver.resolve(records)
        #expect(whole.statistics.candidatePairs > 4 * 100)
        #expect(parts.statistics.candidatePairs == whole.statistics.candidatePairs)
        #expect(parts.statistics.pairsPerKey == whole.statistics.pairsPerKey)
        #expect(parts.statistics.links == whole.statistics.links)
        #expect(parts.statistics.weightHistogram == whole.statistics.weightHistogram)
        #expect(parts.model.m == whole.model.m && parts.model.prior == whole.model.prior)
        #expect(Array(parts.clusters) == Array(whole.clusters))
        #expect(Array(parts.golden) == Array(whole.golden))
        #expect(parts.review.map { "\($0.0) \($0.1) \($0.2)" } == whole.review.map { "\($0.0) \($0.1) \($0.2)" })
    }

    @Test func theModelIsEstimatedWithoutLabels() {
        let resolution = Resolver().resolve(background(600))
        let model = resolution.model
        #expect(model.weight(.idNumber, level: MatchField.idNumber.exactLevel) > 10)
        #expect(model.weight(.birthDate, level: 3) > 5)
        #expect(model.weight(.name, level: 0) < 0)
        #expect(resolution.statistics.candidatePairs > 0)
        #expect(resolution.statistics.reductionRatio > 0.9)
    }

    @Test func theGoldenRecordFollowsTheRulesAndNamesItsSource() {
        var settings = ResolverSettings()
        settings.survivorship.rules[.phone] = .sourcePriority
        settings.survivorship.sourceRank = [2, 0, 1]
        let records =
            background(300) + [
                record(0, "A1", phone: "13800000001"), record(1, "A2", phone: "13800000002"),
                record(2, "A3", id: "510107198503120063", phone: "13800000003"),
            ]
        let resolution = Resolver(settings: settings).resolve(records)
        let index = resolution.clusters.firstIndex { $0.contains { records[$0].key == "A1" } }!
        let golden = resolution.golden[index]
        #expect(golden[.phone]?.value == "13800000002")
        #expect(records[golden[.phone]!.record].key == "A2")
        // The valid number wins over the one whose checksum fails.
        #expect(golden[.idNumber]?.value == "510107198503120036")
        #expect(golden[.birthDate]?.value == "1985-03-12")
    }
}

extension SplitMix64: RandomNumberGenerator {}

@Suite struct ComparisonTests {
    private func similarity(_ a: String, _ b: String) -> Double {
        let x = a.unicodeScalars.map(\.value)
        let y = b.unicodeScalars.map(\.value)
        return x.withUnsafeBufferPointer { x in y.withUnsafeBufferPointer { y in JaroWinkler.similarity(x, y) } }
    }

    private func oneEdit(_ a: String, _ b: String) -> Bool {
        Array(a.utf8).withUnsafeBufferPointer { x in
            Array(b.utf8).withUnsafeBufferPointer { y in PairComparer.withinOneEdit(x, y) }
        }
    }

    @Test func jaroWinklerBandsSeparateTyposFromOtherNames() {
        #expect(similarity("张晓伟", "张晓伟") == 1)
        #expect(similarity("张晓伟", "张伟") >= 0.895)  // a dropped character
        #expect(similarity("张晓伟", "张晓磊") < 0.895)  // twins
        #expect(similarity("张伟", "张磊") < 0.8)
        #expect(similarity("", "张伟") == 0)
    }

    @Test func oneEditMeansOneSubstitutionInsertionDeletionOrSwap() {
        #expect(oneEdit("13812345678", "13812345679"))
        #expect(oneEdit("13812345678", "13812354678"))
        #expect(oneEdit("1381234567", "13812345678"))
        #expect(!oneEdit("13812345678", "13812345699"))
        #expect(!oneEdit("13812345678", "138123456"))
    }

    @Test func idNumbersThatShareOnlyTheirBirthDateAreDifferent() {
        // Namesakes born the same day in one district: their numbers share region and birth
        // date. One is mistyped in two digits, so it fails the check and is more than one edit
        // away. That the birth dates agree is the birth date field's evidence, not the number's.
        let numbers = ["510107199001010026", "510107199001010491", "510107199001010062", "510107199001010020"]
        var inputs = numbers.enumerated().map { index, number in
            ResolverInput(source: 0, key: "k\(index)", name: "王芳", idNumber: number, birthDate: "1990-01-01")
        }
        #expect(numbers.map { IDNumber($0).status } == [.valid, .invalidChecksum, .invalidChecksum, .invalidChecksum])
        let records = PreparedRecords { limit in
            defer { inputs.removeFirst(min(limit, inputs.count)) }
            return Array(inputs.prefix(limit))
        }
        let comparer = PairComparer(records: records)
        let levels = MatchField.idNumber.levels
        func level(_ a: Int, _ b: Int) -> String { levels[Int(comparer.compare(a, b).vector[.idNumber])] }
        #expect(level(0, 1) == "different")
        #expect(level(0, 2) == "one edit or transposition")
        #expect(level(0, 3) == "one edit or transposition")
        #expect(level(0, 0) == "exact")
        #expect(comparer.compare(0, 1).vector[.birthDate] == 3)
    }

    @Test func dateLevels() {
        #expect(PairComparer.dateLevel(1985_03_12, 1985_03_12) == 3)
        #expect(PairComparer.dateLevel(1985_03_12, 1985_12_03) == 2)
        #expect(PairComparer.dateLevel(1985_03_12, 1986_03_12) == 1)
        #expect(PairComparer.dateLevel(1985_03_12, 1986_04_12) == 0)
    }
}

@Suite struct ResidentIDAssignerTests {
    private let assigner = ResidentIDAssigner()

    @Test func residentsKeepTheirIDsWhenTheirRecordsReturn() {
        let result = assigner.assign(clusters: [[0, 1], [2]], previous: [5, 5, 9], active: [5, 9])
        #expect(result.kept == [5, 9])
        #expect(result.merged.isEmpty && result.splits.isEmpty && result.retired.isEmpty)
    }

    @Test func aMergeKeepsTheOlderID() {
        let result = assigner.assign(clusters: [[0, 1, 2]], previous: [9, 5, nil], active: [5, 9])
        #expect(result.kept == [5])
        #expect(result.merged.map(\.absorbed) == [9])
        #expect(result.merged.map(\.into) == [5])
    }

    @Test func aSplitLeavesTheIDWithTheLargerPart() {
        let result = assigner.assign(clusters: [[0], [1, 2]], previous: [5, 5, 5], active: [5])
        #expect(result.kept == [nil, 5])
        #expect(result.splits.map(\.cluster) == [0])
        #expect(result.splits.map(\.from) == [5])
    }

    @Test func aResidentWithoutRecordsIsRetiredAndNewOnesGetNoOldID() {
        let result = assigner.assign(clusters: [[0]], previous: [nil], active: [3])
        #expect(result.kept == [nil])
        #expect(result.retired == [3])
    }

    /// The rules spelled out directly, one earlier resident at a time, for comparison.
    private func reference(clusters: [[Int]], previous: [Int64?], active: [Int64]) -> ResidentIDAssigner.Assignment {
        var counts: [Int64: [Int: Int]] = [:]
        for (cluster, records) in clusters.enumerated() {
            for record in records {
                if let resident = previous[record] { counts[resident, default: [:]][cluster, default: 0] += 1 }
            }
        }
        var owners: [Int: [Int64]] = [:]
        var assignment = ResidentIDAssigner.Assignment(kept: [], merged: [], splits: [], retired: [])
        for (resident, shares) in counts {
            let most = shares.values.max()!
            let owner = shares.filter { $0.value == most }.keys.min()!
            owners[owner, default: []].append(resident)
            for cluster in shares.keys where cluster != owner { assignment.splits.append((cluster, resident)) }
        }
        for cluster in clusters.indices {
            let residents = (owners[cluster] ?? []).sorted()
            assignment.kept.append(residents.first)
            for absorbed in residents.dropFirst() { assignment.merged.append((absorbed, residents[0])) }
        }
        assignment.splits.sort { ($0.cluster, $0.from) < ($1.cluster, $1.from) }
        assignment.merged.sort { ($0.absorbed, $0.into) < ($1.absorbed, $1.into) }
        assignment.retired = active.filter { counts[$0] == nil }.sorted()
        return assignment
    }

    @Test(arguments: 1...20) func assignsWhatTheRulesSayOnRandomClusterings(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let records = Int.random(in: 1...60, using: &random)
        let previous: [Int64?] = (0..<records).map { _ in
            Bool.random(using: &random) ? nil : Int64.random(in: 1...12, using: &random)
        }
        var clusters: [[Int]] = []
        for record in (0..<records).shuffled(using: &random) {
            if clusters.isEmpty || Int.random(in: 0..<3, using: &random) == 0 {
                clusters.append([record])
            } else {
                clusters[Int.random(in: 0..<clusters.count, using: &random)].append(record)
            }
        }
        let active = Array(Set(previous.compactMap { $0 }).union((1...4).map { Int64($0 * 5) })).shuffled(
            using: &random)
        #expect(
            assigner.assign(clusters: clusters, previous: previous, active: active)
                == reference(clusters: clusters, previous: previous, active: active))
    }
}
