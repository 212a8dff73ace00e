package io.pubsubnative.spark.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The option tables of the docs state each integer option's default and range as
 * {@link OptionCatalog} defines them, so the docs cannot drift from the code.
 */
class DocumentedOptionsTest {

    /** Table rows {@code | `name` ... | default | valid | meaning |} of the options in {@code doc}. */
    private static List<String[]> rowsOf(String doc, NumericOption option) throws IOException {
        List<String[]> rows = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("..").resolve(doc))) {
            if (line.startsWith("| `" + option.name() + "`")) {
                String[] cells = line.split("\\|");
                rows.add(new String[] {cells[2].trim(), cells[3].trim()});
            }
        }
        return rows;
    }

    private static String documentedRange(NumericOption option) {
        return option.max() >= Integer.MAX_VALUE ? ">= " + option.min() : option.min() + ".." + option.max();
    }

    @ParameterizedTest
    @ValueSource(strings = {"README.md", "docs/sink.md"})
    void optionTablesStateTheCataloguedDefaultAndRange(String doc) throws IOException {
        int rows = 0;
        for (NumericOption option : OptionCatalog.numericOptions()) {
            for (String[] row : rowsOf(doc, option)) {
                rows++;
                if (option.defaultValue().isPresent()) {
                    assertEquals(Long.toString(option.defaultValue().getAsLong()), row[0], doc + ": " + option.name());
                }
                assertEquals(documentedRange(option), row[1], doc + ": " + option.name());
            }
        }
        assertTrue(rows >= 8, doc + " documents only " + rows + " integer options");
    }
}
