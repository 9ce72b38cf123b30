package io.perfbox.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The state machine's definition as {@code cdk synth} wrote it, with its CloudFormation intrinsics resolved into
 * concrete fake values, so that a Step Functions engine can take it. Each {@code Ref}/{@code Fn::GetAtt} is
 * resolved by the type of the resource it names, into the shape AWS gives that resource (a Lambda ARN
 * {@code arn:aws:lambda:<region>:<account>:function:<logical id>}, a cluster ARN, {@code subnet-<hex>},
 * {@code sg-<hex>}, a bucket or project name); pseudo parameters into the engine's region and account;
 * {@code Fn::Join}, {@code Fn::Select}, {@code Fn::Split} and the string form of {@code Fn::Sub} are evaluated. Anything else fails the test, naming it,
 * rather than being guessed.
 *
 * <p>One change is made, and only one: LocalStack's engine refuses {@code codebuild:startBuild.sync} even when the
 * state is mocked, so BuildAndScan's resource becomes {@code aws-sdk:codebuild:startBuild}. Its Parameters, Retry,
 * Catch, ResultSelector, ResultPath and timeout stay as synthesized, and the mock returns what {@code .sync}
 * returns once the build ended.
 */
final class ResolvedDefinition {
    static final String BUILD_STATE = "BuildAndScan";
    static final String SYNC_BUILD = ":states:::codebuild:startBuild.sync";
    static final String SDK_BUILD = ":states:::aws-sdk:codebuild:startBuild";

    private final JsonNode resources;
    private final String region;
    private final String account;
    private final Map<String, String> physicalIds;

    private ResolvedDefinition(JsonNode template, String region, String account,
                               Map<String, String> physicalIds) {
        this.resources = template.get("Resources");
        this.region = region;
        this.account = account;
        this.physicalIds = physicalIds;
    }

    /**
     * Any part of the template (a policy document, a function's environment) with every intrinsic resolved as the
     * definition's are, so that names and ARNs agree between them. physicalIds: the Refs an engine chose itself
     * (moto makes a file system's id), by logical id; the ARNs built on those Refs follow them.
     */
    static JsonNode resolved(JsonNode template, JsonNode node, String region, String account,
                             Map<String, String> physicalIds) {
        return new ResolvedDefinition(template, region, account, physicalIds).resolveTree(node);
    }

    private JsonNode resolveTree(JsonNode node) {
        if (node.isObject() && node.size() == 1 && node.fieldNames().next().matches("Ref|Fn::.*")) {
            return TextNode.valueOf(resolve(node));
        }
        if (node.isObject()) {
            ObjectNode copy = TemplateQueries.JSON.createObjectNode();
            node.properties().forEach(field -> copy.set(field.getKey(), resolveTree(field.getValue())));
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = TemplateQueries.JSON.createArrayNode();
            node.forEach(element -> copy.add(resolveTree(element)));
            return copy;
        }
        return node;
    }

    /** The definition JSON of the template's one state machine, resolved for {@code region} and {@code account}. */
    static ObjectNode of(JsonNode template, String region, String account) {
        ResolvedDefinition resolver = new ResolvedDefinition(template, region, account, Map.of());
        JsonNode machine = null;
        for (JsonNode resource : resolver.resources) {
            if ("AWS::StepFunctions::StateMachine".equals(resource.path("Type").asText())) {
                if (machine != null) {
                    throw new AssertionError("the template has more than one state machine");
                }
                machine = resource;
            }
        }
        if (machine == null) {
            throw new AssertionError("the template has no state machine");
        }
        String text = resolver.resolve(machine.at("/Properties/DefinitionString"));
        ObjectNode definition;
        try {
            definition = (ObjectNode) TemplateQueries.JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError("the resolved definition is not JSON: " + text, e);
        }
        ObjectNode build = (ObjectNode) definition.at("/States/" + BUILD_STATE);
        String resource = build.path("Resource").asText();
        if (!resource.endsWith(SYNC_BUILD)) {
            throw new AssertionError(BUILD_STATE + " is no longer " + SYNC_BUILD + " but " + resource
                    + ": revisit the one swap this test makes");
        }
        build.put("Resource", resource.replace(SYNC_BUILD, SDK_BUILD));
        return definition;
    }

    private String resolve(JsonNode node) {
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isObject() && node.size() == 1) {
            String function = node.fieldNames().next();
            JsonNode args = node.get(function);
            switch (function) {
                case "Ref":
                    return ref(args.asText());
                case "Fn::GetAtt":
                    return getAtt(args.get(0).asText(), args.get(1).asText());
                case "Fn::Join": {
                    StringBuilder joined = new StringBuilder();
                    String separator = args.get(0).asText();
                    for (int i = 0; i < args.get(1).size(); i++) {
                        joined.append(i == 0 ? "" : separator).append(resolve(args.get(1).get(i)));
                    }
                    return joined.toString();
                }
                case "Fn::Select": {
                    String[] list = split(args.get(1));
                    return list[args.get(0).asInt()];
                }
                case "Fn::Sub": {
                    // The string form only: ${Name} is a Ref, ${Name.Attribute} a Fn::GetAtt.
                    if (!args.isTextual()) {
                        break;
                    }
                    var variable = Pattern.compile("\\$\\{([^}.]+)(?:\\.([^}]+))?}").matcher(args.asText());
                    StringBuilder out = new StringBuilder();
                    while (variable.find()) {
                        String value = variable.group(2) == null ? ref(variable.group(1))
                                : getAtt(variable.group(1), variable.group(2));
                        variable.appendReplacement(out, Matcher.quoteReplacement(value));
                    }
                    variable.appendTail(out);
                    return out.toString();
                }
                default:
                    break;
            }
        }
        throw new AssertionError("the definition uses an intrinsic this test does not resolve: " + node);
    }

    private String[] split(JsonNode node) {
        JsonNode args = node.get("Fn::Split");
        if (args == null) {
            throw new AssertionError("Fn::Select over something other than Fn::Split: " + node);
        }
        return resolve(args.get(1)).split(Pattern.quote(args.get(0).asText()), -1);
    }

    private String ref(String name) {
        switch (name) {
            case "AWS::Partition":
                return "aws";
            case "AWS::Region":
                return region;
            case "AWS::AccountId":
                return account;
            case "AWS::URLSuffix":
                return "amazonaws.com";
            default:
                break;
        }
        if (physicalIds.containsKey(name)) {
            return physicalIds.get(name);
        }
        String type = type(name);
        return switch (type) {
            case "AWS::EC2::Subnet" -> "subnet-" + hex(name, 17);
            case "AWS::EC2::SecurityGroup" -> "sg-" + hex(name, 17);
            // Names as CloudFormation would generate them: lower case where the service requires it.
            case "AWS::S3::Bucket", "AWS::ECR::Repository" -> name.toLowerCase(Locale.ROOT);
            case "AWS::CodeBuild::Project", "AWS::ECS::Cluster", "AWS::Lambda::Function", "AWS::DynamoDB::Table",
                 "AWS::Logs::LogGroup", "AWS::IAM::Role" -> name;
            case "AWS::EFS::FileSystem" -> "fs-" + hex(name, 17);
            case "AWS::EFS::AccessPoint" -> "fsap-" + hex(name, 17);
            // The name the template gives it, as CloudFormation takes it; else one from the logical id.
            case "AWS::StepFunctions::StateMachine" -> arn("states", "stateMachine:"
                    + (resources.get(name).at("/Properties/StateMachineName").isMissingNode() ? name
                    : resolve(resources.get(name).at("/Properties/StateMachineName"))));
            case "AWS::SQS::Queue" -> "https://sqs." + region + ".amazonaws.com/" + account + "/" + name;
            case "AWS::IAM::ManagedPolicy" -> "arn:aws:iam::" + account + ":policy/" + name;
            default -> throw new AssertionError("Ref of a " + type + " (" + name + ") is not resolved by this test");
        };
    }

    private String getAtt(String name, String attribute) {
        String type = type(name);
        String key = type + "." + attribute;
        return switch (key) {
            case "AWS::Lambda::Function.Arn" -> arn("lambda", "function:" + name);
            case "AWS::ECS::Cluster.Arn" -> arn("ecs", "cluster/" + ref(name));
            case "AWS::ECR::Repository.Arn" -> arn("ecr", "repository/" + ref(name));
            case "AWS::DynamoDB::Table.Arn" -> arn("dynamodb", "table/" + ref(name));
            case "AWS::S3::Bucket.Arn" -> "arn:aws:s3:::" + ref(name);
            case "AWS::EFS::FileSystem.Arn" -> arn("elasticfilesystem", "file-system/" + ref(name));
            case "AWS::EFS::AccessPoint.Arn" -> arn("elasticfilesystem", "access-point/" + ref(name));
            case "AWS::Logs::LogGroup.Arn" -> arn("logs", "log-group:" + ref(name) + ":*");
            case "AWS::SQS::Queue.Arn" -> arn("sqs", name);
            case "AWS::CodeBuild::Project.Arn" -> arn("codebuild", "project/" + name);
            case "AWS::EC2::SecurityGroup.GroupId" -> "sg-" + hex(name, 17);
            case "AWS::IAM::Role.Arn" -> "arn:aws:iam::" + account + ":role/" + name;
            default -> throw new AssertionError("Fn::GetAtt " + key + " (" + name + ") is not resolved by this test");
        };
    }

    private String arn(String service, String resource) {
        return "arn:aws:" + service + ":" + region + ":" + account + ":" + resource;
    }

    private String type(String logicalId) {
        JsonNode resource = resources.get(logicalId);
        if (resource == null) {
            throw new AssertionError("the definition refers to " + logicalId + ", which the template does not define");
        }
        return resource.path("Type").asText();
    }

    /** A stable fake id: hex digits of the logical id's SHA-256. */
    private static String hex(String name, int digits) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, digits);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
