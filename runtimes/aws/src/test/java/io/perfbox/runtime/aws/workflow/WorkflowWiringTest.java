package io.perfbox.runtime.aws.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.adapter.aws.JobResourceInventory;
import io.perfbox.testing.aws.AwsTestClients;
import io.perfbox.testing.aws.StepInputs;
import java.net.URI;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.codebuild.CodeBuildClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sfn.SfnClient;

class WorkflowWiringTest {

    private static <B extends AwsClientBuilder<B, C>, C> C client(B builder) {
        // Built, never called: nothing listens there.
        return AwsTestClients.configure(builder, URI.create("http://127.0.0.1:9"), Region.US_EAST_1,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"))).build();
    }

    @Test
    void theSweepListsEveryKindOfPerJobResourceTheCleanUpRemoves() {
        WorkflowWiring wiring = WorkflowWiring.of(WorkflowConfig.fromEnvironment(StepInputs.ENV),
                new WorkflowWiring.Clients(client(DynamoDbClient.builder()), client(S3Client.builder()),
                        client(EcsClient.builder()), client(EcrClient.builder()), client(CloudWatchLogsClient.builder()), client(SfnClient.builder()),
                        client(CodeBuildClient.builder())),
                Clock.systemUTC());

        assertThat(wiring.inventories()).extracting(JobResourceInventory::kind)
                .containsExactly("task definitions", "images", "admissions");
        // The admissions listed are the very ones the clean-up releases.
        assertThat(wiring.inventories()).contains((JobResourceInventory) wiring.admission());
        assertThat(wiring.cleanUp().admissions()).isSameAs(wiring.admission());
        assertThat(wiring.inventories()).contains((JobResourceInventory) wiring.ports().taskDefinitions(),
                (JobResourceInventory) wiring.ports().images());
    }
}
