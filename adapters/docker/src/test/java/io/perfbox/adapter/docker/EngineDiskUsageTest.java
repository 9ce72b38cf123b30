package io.perfbox.adapter.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The build cache's size as the engine's {@code GET /system/df} and the CLI's {@code docker system df} tell it. */
class EngineDiskUsageTest {
    @Test
    void theBuildCacheIsTheSumOfItsRecordsLeavingOutThoseSharedWithImages() throws Exception {
        // The shape of the Engine API's GET /system/df (v1.41) answer, its BuildCache records trimmed to their fields.
        String df = """
                {"LayersSize": 1092588, "Images": [], "Containers": [], "Volumes": [],
                 "BuildCache": [
                   {"ID": "hw53o5aio51xtltp5xjp8v7fx", "Parent": "", "Type": "regular", "Description": "mount / from exec /bin/sh -c echo 'Binary::apt::APT::Keep-Downloaded-Packages \\"true\\";' > /etc/apt/apt.conf.d/keep-cache",
                    "InUse": false, "Shared": true, "Size": 51, "CreatedAt": "2021-06-28T13:31:01.474619385Z",
                    "LastUsedAt": "2021-07-07T22:02:32.738075951Z", "UsageCount": 26},
                   {"ID": "ndlpt0hhvkqcdfkputsk4cq9c", "Parent": "ndlpt0hhvkqcdfkputsk4cq9c", "Type": "regular",
                    "Description": "mount / from exec /bin/sh -c apt-get update", "InUse": false, "Shared": false,
                    "Size": 30000000, "CreatedAt": "2021-06-28T13:31:01.474619385Z",
                    "LastUsedAt": "2021-07-07T22:02:32.738075951Z", "UsageCount": 2},
                   {"ID": "x", "Type": "source.local", "InUse": true, "Shared": false, "Size": 1234}
                 ]}
                """;
        assertThat(DockerApiEngine.buildCacheBytesIn(new ObjectMapper().readTree(df))).hasValue(30_001_234L);
        assertThat(DockerApiEngine.buildCacheBytesIn(new ObjectMapper().readTree("{\"BuildCache\": []}"))).hasValue(0L);
        assertThat(DockerApiEngine.buildCacheBytesIn(new ObjectMapper().readTree("{\"Images\": []}"))).isEmpty();
    }

    @Test
    void theClisRoundedSizesAreReadInDecimalUnits() {
        assertThat(DockerCliEngine.humanBytes("0B")).hasValue(0L);
        assertThat(DockerCliEngine.humanBytes("512B")).hasValue(512L);
        assertThat(DockerCliEngine.humanBytes("12.3kB")).hasValue(12_300L);
        assertThat(DockerCliEngine.humanBytes("1.5MB")).hasValue(1_500_000L);
        assertThat(DockerCliEngine.humanBytes("2GB")).hasValue(2_000_000_000L);
        assertThat(DockerCliEngine.humanBytes("1.25TB")).hasValue(1_250_000_000_000L);
        assertThat(DockerCliEngine.humanBytes("lots")).isEqualTo(OptionalLong.empty());
        assertThat(DockerCliEngine.humanBytes("")).isEmpty();
    }
}
