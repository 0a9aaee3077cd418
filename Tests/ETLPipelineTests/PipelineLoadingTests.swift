import ETLCore
import ETLImport
import ETLNormalise
import ETLPipeline
import TestSupport
import Testing

@Suite struct PipelineLoadingTests {
    /// A minimal valid source, to edit into broken variants.
    static let source = """
        {
          "name": "social_security",
          "format": "csv",
          "files": "social_security*.csv",
          "key": "个人编号",
          "fields": { "name": "姓名", "idNumber": "公民身份号码" },
          "dateFormats": ["yyyy-MM-dd"]
        }
        """

    private func diagnostics(_ text: String) throws -> [Diagnostic] {
        let folder = TemporaryDirectory()
        let path = folder.write("p.json", text)
        do {
            let (_, warnings) = try Pipeline.load(path: path)
            return warnings
        } catch {
            guard case .invalid(let diagnostics) = error else { throw error }
            return diagnostics.map {
                var relative = $0
                relative.file = "p.json"
                return relative
            }
        }
    }

    @Test func loadsTheDemoPipeline() throws {
        let (pipeline, warnings) = try Pipeline.load(path: Repository.path("pipelines/demo.json"))
        #expect(warnings.isEmpty)
        #expect(pipeline.name == "demo")
        #expect(pipeline.sources.map(\.name) == ["social_security", "health_insurance", "civil_affairs"])
        #expect(pipeline.inbox == Repository.path("fixtures/inbox"))
        let civil = pipeline.sources[2]
        #expect(civil.files.map(\.format) == [.json, .jsonl])
        let health = pipeline.sources[1]
        #expect(health.spec.fields[.idNumber]?.condition?.values == ["01"])
        #expect(health.spec.xmlRecordElement == "person")
        #expect(pipeline.sha256.count == 64)
    }

    @Test func unknownCanonicalFieldIsReportedWithLineColumnAndSuggestion() throws {
        let text = """
            {
              "sources": [
                {
                  "name": "s",
                  "format": "csv",
                  "files": "s*.csv",
                  "key": "k",
                  "fields": {
                    "idNo": "公民身份号码"
                  }
                }
              ]
            }
            """
        let found = try diagnostics(text)
        #expect(
            found.map(\.description) == ["p.json:9:9: error: unknown canonical field 'idNo'; did you mean 'idNumber'?"])
    }

    @Test func everyProblemIsReportedNotJustTheFirst() throws {
        let text = """
            {
              "sources": [
                { "name": "a", "fomat": "csv", "files": "a*.csv", "key": "k", "fields": {} },
                { "name": "a", "format": "xls", "files": "../b*.csv", "key": "k", "fields": { "sex": "s" },
                  "values": { "sex": { "M": "male" } }, "dateFormats": ["dd/MM/yy"], "csv": { "delimiter": ";;" } }
              ]
            }
            """
        let messages = try diagnostics(text).map(\.message)
        #expect(messages.contains("unknown key 'fomat' in sources[0]; did you mean 'format'?"))
        #expect(messages.contains("sources[0] needs 'format'"))
        #expect(messages.contains { $0.hasPrefix("unknown format 'xls'") })
        #expect(messages.contains { $0.hasPrefix("glob '../b*.csv' leaves the inbox") })
        #expect(messages.contains { $0.hasPrefix("'male' is not a sex code") })
        #expect(messages.contains { $0.hasPrefix("date format 'dd/MM/yy'") })
        #expect(messages.contains { $0.hasPrefix("the CSV delimiter must be one ASCII character") })
    }

    @Test func duplicateSourceNamesAreAnError() throws {
        let text = "{\"sources\": [\(Self.source), \(Self.source)]}"
        let found = try diagnostics(text)
        #expect(found.count == 1)
        #expect(found.first?.message.hasPrefix("duplicate source name 'social_security'") == true)
        #expect(found.first?.position.line == 9)
    }

    @Test func invalidJSONPointsAtTheCharacter() throws {
        let found = try diagnostics("{\n  \"sources\": [\n    {\"name\": \"a\",}\n  ]\n}")
        #expect(
            found.map(\.description) == ["p.json:3:18: error: invalid JSON: expected a key in double quotes, found '}'"]
        )
    }

    @Test func xmlNeedsARecordElementAndCannotBeGB18030() throws {
        let text = """
            {"sources": [{"name": "h", "format": "xml", "files": "h*.xml", "encoding": "gb18030", "key": "k",
              "fields": {"name": "n"}}]}
            """
        let messages = try diagnostics(text).map(\.message)
        #expect(messages.contains { $0.contains("needs \"xml\": {\"recordElement\"") })
        #expect(messages.contains { $0.hasPrefix("XML files are read as UTF-8") })
    }

    @Test func aMappedBirthDateWithoutFormatsIsAWarning() throws {
        let text = """
            {"sources": [{"name": "s", "format": "csv", "files": "s*.csv", "key": "k", "fields": {"birthDate": "d"}}]}
            """
        let found = try diagnostics(text)
        #expect(found.map(\.severity) == [.warning])
    }

    @Test func aGlobThatMatchesNothingIsReportedAtTheGlob() throws {
        let folder = TemporaryDirectory()
        folder.write("inbox/other.csv", "x\n")
        let path = folder.write("p.json", "{\"inbox\": \"inbox\", \"sources\": [\(Self.source)]}")
        let (pipeline, _) = try Pipeline.load(path: path)
        let problems = pipeline.checkInbox(folder.file("inbox"))
        #expect(problems.count == 1)
        #expect(problems.first?.position.line == 4)
        #expect(problems.first?.message.contains("no file in") == true)
        folder.write("inbox/social_security_1.csv", "x\n")
        #expect(pipeline.checkInbox(folder.file("inbox")).isEmpty)
    }

    @Test func allowedFoldersAreResolvedAgainstTheFileAndMustExist() throws {
        let folder = TemporaryDirectory()
        folder.write("shared/x.csv", "x\n")
        let path = folder.write(
            "p.json", "{\"allowedFolders\": [\"shared\", \"missing\"], \"sources\": [\(Self.source)]}")
        do {
            _ = try Pipeline.load(path: path)
            Issue.record("a missing allowed folder must be an error")
        } catch {
            guard case .invalid(let diagnostics) = error else { throw error }
            #expect(diagnostics.map(\.message) == ["allowed folder 'missing' is not an existing folder"])
        }
        let fixed = folder.write("q.json", "{\"allowedFolders\": [\"shared\"], \"sources\": [\(Self.source)]}")
        #expect(try Pipeline.load(path: fixed).0.allowedFolders == [folder.file("shared")])
    }

    @Test func locatesPipelinesByNameOrPath() throws {
        #expect(throws: PipelineError.self) { try Pipeline.locate("no-such-pipeline") }
        let folder = TemporaryDirectory()
        let path = folder.write("x.json", "{}")
        #expect(try Pipeline.locate(path) == path)
    }

    @Test func theResolveSectionIsReadAndItsMistakesAreReportedWhereTheyAre() throws {
        let folder = TemporaryDirectory()
        let good = folder.write(
            "good.json",
            """
            {
              "sources": [\(Self.source)],
              "resolve": {
                "threshold": 0.95, "maxBlockSize": 100, "blockWindow": 12,
                "sourcePriority": ["social_security"],
                "survivorship": { "phone": "sourcePriority", "name": "mostRecent" }
              }
            }
            """)
        let (pipeline, _) = try Pipeline.load(path: good)
        #expect(pipeline.resolves)
        #expect(pipeline.resolve.threshold == 0.95)
        #expect(pipeline.resolve.maxBlockSize == 100)
        #expect(pipeline.resolve.blockWindow == 12)
        #expect(pipeline.resolve.survivorship.rules[.phone] == .sourcePriority)
        #expect(pipeline.resolve.survivorship.rules[.name] == .mostRecent)
        #expect(pipeline.resolve.survivorship.rules[.idNumber] == .validOverInvalid)

        let found = try diagnostics(
            """
            {
              "sources": [\(Self.source)],
              "resolve": {
                "threshold": 1.5,
                "sourcePriority": ["social_securty"],
                "survivorship": { "phone": "newest" },
                "enabled": "yes"
              }
            }
            """)
        let messages = found.map(\.description)
        #expect(messages.contains { $0.contains("'threshold' must be between 0.5 and") })
        #expect(
            messages.contains {
                $0.contains("'sourcePriority' names no source 'social_securty'; did you mean 'social_security'?")
            })
        #expect(messages.contains { $0.contains("unknown survivorship rule 'newest'") })
        #expect(messages.contains { $0.contains("'enabled' must be true or false") })
        #expect(found.allSatisfy { $0.position.line >= 10 })
    }

    @Test func aPipelineMayOnlyStage() throws {
        let folder = TemporaryDirectory()
        let path = folder.write(
            "p.json", #"{ "sources": [\#(Self.source)], "resolve": { "enabled": false } }"#)
        let (pipeline, _) = try Pipeline.load(path: path)
        #expect(!pipeline.resolves)
    }
}

@Suite struct PipelineCheckTests {
    private func messages(_ text: String) throws -> [Diagnostic] {
        let folder = TemporaryDirectory()
        let path = folder.write("p.json", text)
        do {
            return try Pipeline.load(path: path).1
        } catch {
            guard case .invalid(let diagnostics) = error else { throw error }
            return diagnostics
        }
    }

    @Test func aPerGlobXMLEntryNeedsARecordElement() throws {
        let found = try messages(
            """
            {"sources": [{"name": "c", "format": "json", "files": ["c*.json", {"glob": "c*.xml", "format": "xml"}],
              "key": "k", "fields": {"name": "n"}}]}
            """)
        #expect(found.contains { $0.message.contains("needs \"xml\": {\"recordElement\"") })
    }

    @Test func gb18030CannotCoverAPerGlobJSONEntry() throws {
        let found = try messages(
            """
            {"sources": [{"name": "c", "format": "csv", "encoding": "gb18030",
              "files": ["c*.csv", {"glob": "c*.json", "format": "json"}], "key": "k", "fields": {"name": "n"}}]}
            """)
        #expect(found.contains { $0.message.contains("GB18030 applies to CSV only") })
    }

    @Test func diagnosticsComeInFileOrderAndDuplicatesAreFoundDespiteOtherErrors() throws {
        let found = try messages(
            """
            {"sources": [
              {"name": "a", "format": "csv", "files": "a*.csv", "key": "k", "fields": {"nme": "n"}},
              {"name": "a", "format": "csv", "files": "a*.csv", "key": "k", "fields": {"idNo": "n"}}
            ]}
            """)
        #expect(found.map(\.position.line) == [2, 3, 3])
        #expect(found.contains { $0.message.hasPrefix("duplicate source name 'a'") })
    }

    @Test func wholeNumbersMayBeWrittenAsDecimalsAndRangesAreNamed() throws {
        let ok = try messages(
            """
            {"sources": [{"name": "a", "format": "csv", "files": "a*.csv", "key": "k", "fields": {"name": "n"},
              "csv": {"maxQuotedFieldBytes": 65536.0, "maxQuotedFieldLines": 2e2}}]}
            """)
        #expect(ok.isEmpty)
        let big = try messages(
            """
            {"sources": [{"name": "a", "format": "csv", "files": "a*.csv", "key": "k", "fields": {"name": "n"},
              "csv": {"maxQuotedFieldBytes": 99999999999999999999999}}]}
            """)
        #expect(big.map(\.message) == ["maxQuotedFieldBytes must be between 1 and 1073741824"])
    }

    @Test func aByteOrderMarkDoesNotShiftColumns() throws {
        let folder = TemporaryDirectory()
        let path = folder.write("p.json", bytes: [0xEF, 0xBB, 0xBF] + Array("{\"sources\":3}".utf8))
        do {
            _ = try Pipeline.load(path: path)
            Issue.record("expected an error")
        } catch {
            guard case .invalid(let diagnostics) = error else { throw error }
            #expect(diagnostics.first?.position.column == 12)
        }
    }
}
