/* Generates XXH64 test vectors for Daos.Common.Tests with the reference library (libxxhash).
 * Input i of length n is produced by the LCG below from salt i, so vectors stay small:
 *   x = salt * 6364136223846793005 + 1442695040888963407; for each byte: x = x * 6364136223846793005 +
 *   1442695040888963407; byte = x >> 56.
 * Usage: xxh64_vectors <lengths-file> <seed>...   prints "length salt seed hash" per line. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <xxhash.h>

static void fill(unsigned char *buf, size_t n, uint64_t salt)
{
	uint64_t x = salt * 6364136223846793005ULL + 1442695040888963407ULL;
	for (size_t i = 0; i < n; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		buf[i] = (unsigned char)(x >> 56);
	}
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	FILE *f = fopen(argv[1], "r");
	if (!f)
		return 2;
	unsigned char *buf = malloc(65536);
	unsigned long n, salt = 0;
	while (fscanf(f, "%lu", &n) == 1) {
		fill(buf, n, salt);
		for (int s = 2; s < argc; s++) {
			uint64_t seed = strtoull(argv[s], NULL, 0);
			printf("%lu %lu %llu %016llx\n", n, salt, (unsigned long long)seed,
			       (unsigned long long)XXH64(buf, n, seed));
		}
		salt++;
	}
	free(buf);
	fclose(f);
	return 0;
}
