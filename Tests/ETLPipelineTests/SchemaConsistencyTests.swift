import ETLCore
import ETLImport
import ETLNormalise
import ETLPublish
import Foundation
import TestSupport
import Testing

@testable import ETLPipeline

/// `schemas/pipeline.schema.json` and the pipeline decoder must accept the same keys and
/// values: the schema is what editors check, the decoder is what etl checks.
@Suite struct SchemaConsistencyTests {
    private func schema() throws -> JSONNode {
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: Repository.path("schemas/pipeline.schema.json"))))
        return try bytes.withUnsafeMutableBufferPointer { buffer in
            var scanner = JSONScanner(bytes: UnsafeBufferPointer(buffer))
            return try scanner.parseValue()
        }
    }

    private func keys(_ node: JSONNode?) -> Set<String> {
        Set(node?["properties"]?.members?.map(\.key) ?? [])
    }

    private func enumValues(_ node: JSONNode?) -> Set<String> {
        Set(node?["enum"]?.elements?.compactMap(\.stringValue) ?? [])
    }

    @Test func objectKeysMatch() throws {
        let root = try schema()
        let definitions = root["$defs"]
        let source = definitions?["source"]
        #expect(keys(root) == Set(PipelineDecoder.pipelineKeys))
        #expect(keys(source) == Set(PipelineDecoder.sourceKeys))
        #expect(keys(source?["properties"]?["csv"]) == Set(PipelineDecoder.csvKeys))
        #expect(keys(source?["properties"]?["xml"]) == Set(PipelineDecoder.xmlKeys))
        #expect(keys(source?["properties"]?["json"]) == Set(PipelineDecoder.jsonKeys))
        #expect(keys(source?["properties"]?["limits"]) == Set(PipelineDecoder.limitKeys))
        #expect(keys(source?["properties"]?["values"]) == Set(PipelineDecoder.valueMapFields))
        let mapping = definitions?["mapping"]?["oneOf"]?.elements?.last
        #expect(keys(mapping) == Set(PipelineDecoder.mappingKeys))
        #expect(keys(mapping?["properties"]?["when"]) == Set(PipelineDecoder.conditionKeys))
        let filePattern = source?["properties"]?["files"]?["oneOf"]?.elements?.last?["items"]?["oneOf"]?.elements?.last
        #expect(keys(filePattern) == Set(PipelineDecoder.filePatternKeys))
        #expect(keys(root["properties"]?["resolve"]) == Set(PipelineDecoder.resolveKeys))
        #expect(
            keys(root["properties"]?["resolve"]?["properties"]?["survivorship"])
                == Set(CanonicalField.allCases.map(\.rawValue)))
        #expect(keys(root["properties"]?["history"]) == Set(PipelineDecoder.historyKeys))
        let publish = root["properties"]?["publish"]
        #expect(keys(publish) == Set(PipelineDecoder.publishKeys))
        #expect(keys(publish?["properties"]?["key"]) == Set(PipelineDecoder.keyKeys))
        let dataset = definitions?["dataset"]
        #expect(keys(dataset) == Set(PipelineDecoder.datasetKeys))
        #expect(keys(dataset?["properties"]?["include"]?["items"]) == Set(PipelineDecoder.includeKeys))
        #expect(keys(dataset?["properties"]?["privacy"]) == Set(PipelineDecoder.privacyKeys))
        #expect(
            keys(dataset?["properties"]?["privacy"]?["properties"]?["sensitive"]) == Set(PipelineDecoder.sensitiveKeys))
        let column = definitions?["column"]
        #expect(keys(column) == Set(PipelineDecoder.columnKeys))
        let transforms = column?["properties"]?["transform"]?["oneOf"]?.elements
        #expect(keys(transforms?.last) == Set(PipelineDecoder.generaliseKeys))
        #expect(enumValues(transforms?.first) == Set(PipelineDecoder.simpleTransforms))
        #expect(
            enumValues(transforms?.last?["properties"]?["generalise"])
                == Set(Hierarchy.allCases.flatMap(\.levels)))
        let valueSource = definitions?["valueSource"]?["oneOf"]?.elements
        #expect(enumValues(valueSource?.first) == Set(ValueSource.named.keys))
        #expect(keys(valueSource?.last) == Set(PipelineDecoder.payloadReferenceKeys))
        #expect(
            enumValues(dataset?["properties"]?["formats"]?["items"]) == Set(OutputFormat.allCases.map(\.rawValue)))
    }

    @Test func enumeratedValuesMatch() throws {
        let root = try schema()
        let definitions = root["$defs"]
        let source = definitions?["source"]?["properties"]
        #expect(enumValues(definitions?["format"]) == Set(SourceFormat.allCases.map(\.rawValue)))
        #expect(enumValues(source?["encoding"]) == Set(TextEncoding.allCases.map(\.rawValue)))
        #expect(keys(source?["fields"]) == Set(CanonicalField.allCases.map(\.rawValue)))
        #expect(enumValues(source?["export"]) == Set(ExportSelection.allCases.map(\.rawValue)))
        #expect(
            enumValues(source?["values"]?["properties"]?["sex"]?["additionalProperties"])
                == Set(SexCode.allCases.map(\.rawValue)))
        #expect(
            enumValues(root["properties"]?["resolve"]?["properties"]?["survivorship"]?["properties"]?["name"])
                == Set(SurvivorshipRule.allCases.map(\.rawValue)))
    }
}
