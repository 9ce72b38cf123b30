package io.perfbox.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** perfbox:dockerHubPullThroughCache: off by default; when set, ECR's pull-through cache rule and the build's use of it. */
class DockerHubCacheStackTest {
    private static final String SECRET =
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ecr-pullthroughcache/docker-hub-AbCdEf";

    private static Template synth(Map<String, Object> context, String out) {
        var app = SynthesizedStack.newApp(Path.of("target/" + out), context);
        return Template.fromStack(PerfboxStack.createStack(app, SynthesizedStack.STACK_NAME));
    }

    private static JsonNode buildProject(Template template) {
        JsonNode resources = TemplateQueries.JSON.valueToTree(template.toJSON()).get("Resources");
        List<JsonNode> found = new ArrayList<>();
        resources.forEach(r -> {
            if (r.path("Type").asText().equals("AWS::CodeBuild::Project")
                    && r.at("/Properties/Description").asText().startsWith("perfbox: docker build")) {
                found.add(r);
            }
        });
        assertThat(found).hasSize(1);
        return found.get(0);
    }

    private static JsonNode variable(JsonNode project, String name) {
        for (JsonNode v : project.at("/Properties/Environment/EnvironmentVariables")) {
            if (v.path("Name").asText().equals(name)) {
                return v.path("Value");
            }
        }
        throw new AssertionError("no " + name);
    }

    @Test
    void offByDefaultNoRuleAndTheBuildPullsAsWritten() {
        Template template = SynthesizedStack.TEMPLATE;
        template.resourceCountIs("AWS::ECR::PullThroughCacheRule", 0);
        assertThat(variable(buildProject(template), "DOCKER_HUB_CACHE").asText()).isEmpty();
        assertThat(ContextKey.DOCKER_HUB_PULL_THROUGH_CACHE.defaultValue()).isEqualTo("off");
    }

    @Test
    void aSecretMakesTheCacheRuleAndTheBuildPullsDockerHubThroughItsPrefix() {
        Template template = synth(Map.of("perfbox:dockerHubPullThroughCache", SECRET), "cdk-docker-hub-cache");
        template.resourceCountIs("AWS::ECR::PullThroughCacheRule", 1);
        template.hasResourceProperties("AWS::ECR::PullThroughCacheRule", Map.of(
                "EcrRepositoryPrefix", "docker-hub",
                "UpstreamRegistry", "docker-hub",
                "UpstreamRegistryUrl", "registry-1.docker.io",
                "CredentialArn", SECRET));
        String cache = TemplateQueries.joined(variable(buildProject(template), "DOCKER_HUB_CACHE"));
        assertThat(cache).isEqualTo("{Ref AWS::AccountId}.dkr.ecr.{Ref AWS::Region}.{Ref AWS::URLSuffix}/docker-hub");
        // The build role may pull through the cache's repositories only (the first pull creates and imports one).
        template.hasResourceProperties("AWS::IAM::Policy", Map.of("PolicyDocument", Match.objectLike(Map.of(
                "Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Action", List.of("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
                                "ecr:BatchCheckLayerAvailability", "ecr:BatchImportUpstreamImage", "ecr:CreateRepository"),
                        "Resource", Match.objectLike(Map.of("Fn::Join", Match.arrayWith(List.of(
                                Match.arrayWith(List.of(":repository/docker-hub/*"))))))))))))));
    }

    @Test
    void aValueThatIsNotAPullThroughCacheSecretStopsTheSynthNamingTheKey() {
        for (Object bad : List.of("arn:aws:secretsmanager:eu-west-1:123456789012:secret:docker-hub-AbCdEf", "yes",
                "arn:aws:iam::123456789012:role/x")) {
            assertThatThrownBy(() -> synth(Map.of("perfbox:dockerHubPullThroughCache", bad), "cdk-bad-cache"))
                    .as(bad.toString()).hasMessageContaining("perfbox:dockerHubPullThroughCache")
                    .hasMessageContaining("ecr-pullthroughcache/");
        }
    }
}
