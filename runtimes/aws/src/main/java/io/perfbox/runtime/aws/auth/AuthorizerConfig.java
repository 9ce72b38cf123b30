package io.perfbox.runtime.aws.auth;

import io.perfbox.runtime.aws.AwsSettings;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import software.amazon.awssdk.regions.Region;

/**
 * The authorizer's and the key command's environment, read once: the region and the API keys table, nothing of the
 * jobs (the authorizer is granted nothing on them).
 */
public record AuthorizerConfig(Region region, String apiKeysTable) {
    public static final String API_KEYS_TABLE = "PERFBOX_API_KEYS_TABLE";
    private static final Pattern REGION = Pattern.compile("[a-z]{2,4}(-[a-z]+)+-\\d{1,2}");
    private static final Pattern TABLE = Pattern.compile("[A-Za-z0-9_.-]{3,255}");

    public AuthorizerConfig {
        if (region == null || !REGION.matcher(region.id()).matches()) {
            throw new IllegalArgumentException(AwsSettings.AWS_REGION + " is not a region: " + region);
        }
        if (apiKeysTable == null || !TABLE.matcher(apiKeysTable).matches()) {
            throw new IllegalArgumentException(API_KEYS_TABLE + " is not a table name: " + apiKeysTable);
        }
    }

    public static AuthorizerConfig from(Map<String, String> env) {
        AwsSettings.Variables v = new AwsSettings.Variables(env);
        Region region = v.matching(AwsSettings.AWS_REGION, REGION, "a region such as eu-west-1", Region::of);
        String table = v.matching(API_KEYS_TABLE, TABLE, "a DynamoDB table name", Function.identity());
        v.failOnProblems();
        return new AuthorizerConfig(region, table);
    }
}
