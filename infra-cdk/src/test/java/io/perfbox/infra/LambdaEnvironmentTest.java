package io.perfbox.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.perfbox.core.domain.Severity;
import io.perfbox.runtime.aws.workflow.WorkflowConfig;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/**
 * The environment the stack gives each workflow Lambda, against what the Java reads at its cold start
 * ({@link WorkflowConfig} of perfbox-functions). The variable names come from those classes
 * themselves: they are recorded as the configuration asks an empty environment for them. A variable added, renamed
 * or dropped on either side fails here, not at the first job after a deployment.
 */
class LambdaEnvironmentTest {
    /** Lambda sets this in every function; a function's configuration cannot. */
    private static final Set<String> SET_BY_LAMBDA = Set.of("AWS_REGION");

    private final Template template = SynthesizedStack.TEMPLATE;
    private final JsonNode resources = TemplateQueries.template().get("Resources");

    /** The variables a configuration reads, asked of an environment that has none (so it fails, as it must). */
    private static Set<String> variablesRead(Consumer<Map<String, String>> readConfiguration) {
        Set<String> asked = new LinkedHashSet<>();
        Map<String, String> empty = new AbstractMap<>() {
            @Override
            public String get(Object name) {
                asked.add((String) name);
                return null;
            }

            @Override
            public Set<Entry<String, String>> entrySet() {
                return Set.of();
            }
        };
        assertThatThrownBy(() -> readConfiguration.accept(empty)).isInstanceOf(IllegalStateException.class);
        return asked;
    }

    private static Map<String, Object> anyValueFor(Set<String> names) {
        Map<String, Object> pattern = new LinkedHashMap<>();
        names.stream().filter(name -> !SET_BY_LAMBDA.contains(name)).forEach(name -> pattern.put(name, Match.anyValue()));
        return pattern;
    }

    private JsonNode function(String handlerClass) {
        Map<String, Map<String, Object>> found = template.findResources("AWS::Lambda::Function",
                Map.of("Properties", Map.of("Handler", handlerClass + JavaLambda.METHOD)));
        assertThat(found).as(handlerClass).hasSize(1);
        return TemplateQueries.JSON.valueToTree(found.values().iterator().next());
    }

    private static final List<WorkflowFunctions.State> AWS_STEPS = List.of(WorkflowFunctions.State.values());

    @Test
    void everyStepCallingAwsIsGivenExactlyTheVariablesWorkflowConfigReads() {
        Set<String> read = variablesRead(WorkflowConfig::fromEnvironment);
        assertThat(read).as("the recording saw the reads").contains("AWS_REGION").hasSizeGreaterThan(10);
        assertThat(AWS_STEPS).hasSize(9);
        for (WorkflowFunctions.State state : AWS_STEPS) {
            template.hasResourceProperties("AWS::Lambda::Function", Map.of(
                    "Handler", state.handlerClass() + JavaLambda.METHOD,
                    "Environment", Map.of("Variables", Match.objectEquals(anyValueFor(read)))));
        }
    }

    /**
     * WorkflowConfig accepts what the stack sets, with each reference standing for what CloudFormation puts there:
     * a name for a Ref of a table, bucket, repository or log group, an ARN for an Arn attribute. So a variable meant to hold an ARN that was given a name (or a CPU Fargate lacks) fails here.
     */
    @Test
    void workflowConfigAcceptsTheStepHandlersEnvironmentAsDeployed() {
        JsonNode variables = function(WorkflowFunctions.State.AFTER_BUILD.handlerClass()).at("/Properties/Environment/Variables");
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("AWS_REGION", "eu-west-1");
        variables.properties().forEach(v -> environment.put(v.getKey(), deployedValue(v.getValue())));

        WorkflowConfig config = WorkflowConfig.fromEnvironment(environment);

        // cdk.json's defaults, as the stack was synthesized.
        assertThat(config.policy().threshold()).isEqualTo(Severity.HIGH);
        assertThat(config.policy().ignoreUnfixed()).isFalse();
        assertThat(config.taskCpu()).isEqualTo(1024);
        assertThat(config.taskMemoryMiB()).isEqualTo(2048);
        assertThat(config.runTimeout()).isEqualTo(Duration.ofSeconds(600));
        assertThat(config.clusterArn()).startsWith("arn:aws:ecs:");
        assertThat(config.taskExecutionRoleArn()).startsWith("arn:aws:iam::");
        assertThat(config.buildProject()).startsWith("buildandscanproject");
        assertThat(config.stateMachineArn())
                .isEqualTo("arn:aws:states:eu-west-1:123456789012:stateMachine:" + SynthesizedStack.STACK_NAME + "-JobWorkflow");
        assertThat(config.runStartTimeout()).isEqualTo(Duration.ofSeconds(1800));
        // The image asset in this account's CDK asset repository, tagged by the asset's hash.
        assertThat(config.taskHelpersImage()).matches("123456789012\\.dkr\\.ecr\\.eu-west-1\\.amazonaws\\.com/"
                + "cdk-[a-z0-9]+-container-assets-123456789012-eu-west-1:[0-9a-f]{64}");
    }

    @Test
    void noWorkflowFunctionRunsInTheVpcOrMountsAFileSystem() {
        for (WorkflowFunctions.State state : WorkflowFunctions.State.values()) {
            JsonNode properties = function(state.handlerClass()).get("Properties");
            assertThat(properties.has("VpcConfig")).as(state.name()).isFalse();
            assertThat(properties.has("FileSystemConfigs")).as(state.name()).isFalse();
        }
    }

    @Test
    void everyStatesHandlerIsAClassOfTheWorkflowJar() throws Exception {
        try (ZipFile jar = new ZipFile(SynthesizedStack.workflowJar().toFile())) {
            for (String handler : Arrays.stream(WorkflowFunctions.State.values()).map(WorkflowFunctions.State::handlerClass).toList()) {
                assertThat(jar.getEntry(handler.replace('.', '/') + ".class")).as(handler).isNotNull();
            }
        }
    }

    /** What CloudFormation resolves a value of the template to, with stand-in names, ids and account. */
    private String deployedValue(JsonNode value) {
        if (value.isTextual()) {
            return value.asText();
        }
        if (value.has("Ref")) {
            String id = value.get("Ref").asText();
            String type = resources.path(id).path("Type").asText();
            return switch (type) {
                case "AWS::EFS::FileSystem" -> "fs-0123456789abcdef0";
                // A managed policy's Ref is its ARN.
                case "AWS::IAM::ManagedPolicy" -> "arn:aws:iam::123456789012:policy/" + id.toLowerCase(Locale.ROOT);
                case "AWS::DynamoDB::Table", "AWS::S3::Bucket", "AWS::ECR::Repository", "AWS::Logs::LogGroup",
                     "AWS::ECS::Cluster", "AWS::IAM::Role", "AWS::CodeBuild::Project" -> id.toLowerCase(Locale.ROOT);
                default -> throw new AssertionError("no stand-in for a Ref of " + id + " (" + type + ")");
            };
        }
        if (value.has("Fn::Sub") && value.get("Fn::Sub").isTextual()) {
            String resolved = value.get("Fn::Sub").asText().replace("${AWS::AccountId}", "123456789012")
                    .replace("${AWS::Region}", "eu-west-1").replace("${AWS::URLSuffix}", "amazonaws.com");
            assertThat(resolved).as("only pseudo parameters in " + value).doesNotContain("${");
            return resolved;
        }
        if (value.has("Fn::GetAtt") && value.at("/Fn::GetAtt/1").asText().equals("Arn")) {
            String id = value.at("/Fn::GetAtt/0").asText();
            String type = resources.path(id).path("Type").asText();
            String name = id.toLowerCase(Locale.ROOT);
            return switch (type) {
                case "AWS::ECS::Cluster" -> "arn:aws:ecs:eu-west-1:123456789012:cluster/" + name;
                case "AWS::IAM::Role" -> "arn:aws:iam::123456789012:role/" + name;
                default -> throw new AssertionError("no stand-in for the Arn of " + id + " (" + type + ")");
            };
        }
        if (value.has("Fn::Join")) {
            StringBuilder joined = new StringBuilder();
            for (JsonNode part : value.at("/Fn::Join/1")) {
                joined.append(switch (part.path("Ref").asText(null) == null ? "" : part.get("Ref").asText()) {
                    case "AWS::Partition" -> "aws";
                    case "AWS::Region" -> "eu-west-1";
                    case "AWS::AccountId" -> "123456789012";
                    case "" -> deployedValue(part);
                    default -> deployedValue(part);
                });
            }
            return joined.toString();
        }
        throw new AssertionError("no stand-in for " + value);
    }
}
