// SPDX-License-Identifier: GPL-2.0
/*
 * mpitest: an MPI job's collectives and a large message, with results that
 * do not depend on where the ranks run, so that the same job natively and on
 * the LWK prints the same lines (95-mpi):
 *
 *   rank R of N: allreduce S, alltoall T, message M
 *
 * S is the sum of every rank's 1 + rank; T a checksum of what alltoall gave
 * this rank; M a checksum of the 8 MiB rank 0 sent rank 1 (and rank 1 sent
 * back), so that the library's single-copy paths for large messages are
 * used.  With "where" it first prints "rank R on cpu C" on a line of its own
 * (C as sched_getcpu says), which the test compares between ranks instead.
 * With "pingpong" (make bench) ranks 0 and 1 time OSU-style ping-pongs
 * instead, and rank 0 prints one line per batch:
 *
 *   latency_8b_ns NS          half a round trip of 8 bytes
 *   bandwidth_4mib_mbps MBPS  4 MiB each way, bytes moved over the time
 *
 * Exit status 0, or 1 with a line on stderr when a result is wrong.
 */
#define _GNU_SOURCE
#include <mpi.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MESSAGE_BYTES (8u << 20)

static uint64_t checksum(const unsigned char *bytes, size_t count)
{
	uint64_t sum = 1469598103934665603ull;	/* FNV-1a */
	size_t i;

	for (i = 0; i < count; i++)
		sum = (sum ^ bytes[i]) * 1099511628211ull;
	return sum;
}

static int fail(const char *what)
{
	fprintf(stderr, "mpitest: %s\n", what);
	MPI_Abort(MPI_COMM_WORLD, 1);
	return 1;
}

static double seconds(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)now.tv_sec + now.tv_nsec / 1e9;
}

/* 'rounds' round trips of 'bytes' between ranks 0 and 1: seconds taken, on rank 0. */
static double round_trips(int rank, unsigned char *buffer, int bytes, int rounds)
{
	double start = seconds();
	int i;

	for (i = 0; i < rounds; i++) {
		if (rank == 0) {
			MPI_Send(buffer, bytes, MPI_BYTE, 1, 3, MPI_COMM_WORLD);
			MPI_Recv(buffer, bytes, MPI_BYTE, 1, 4, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
		} else {
			MPI_Recv(buffer, bytes, MPI_BYTE, 0, 3, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
			MPI_Send(buffer, bytes, MPI_BYTE, 0, 4, MPI_COMM_WORLD);
		}
	}
	return seconds() - start;
}

/* OSU-style: warm-up, then batches; ranks past 1 only wait at the barriers. */
static int ping_pong(int rank)
{
	const int batches = 15, small_rounds = 200, large_rounds = 4, large = 4 << 20;
	unsigned char *buffer = calloc(1, large);
	double taken;
	int batch;

	if (!buffer)
		return fail("no memory");
	if (rank < 2) {
		round_trips(rank, buffer, 8, small_rounds);
		round_trips(rank, buffer, large, 1);
	}
	for (batch = 0; batch < batches; batch++) {
		MPI_Barrier(MPI_COMM_WORLD);
		if (rank >= 2)
			continue;
		taken = round_trips(rank, buffer, 8, small_rounds);
		if (rank == 0)
			printf("latency_8b_ns %.0f\n", taken / (2.0 * small_rounds) * 1e9);
		taken = round_trips(rank, buffer, large, large_rounds);
		if (rank == 0)
			printf("bandwidth_4mib_mbps %.1f\n", 2.0 * large_rounds * large / taken / 1e6);
	}
	free(buffer);
	MPI_Finalize();
	return 0;
}

int main(int argc, char **argv)
{
	int rank, ranks, mine, sum = 0, i;
	int *out, *in;
	unsigned char *message;
	uint64_t message_sum = 0;

	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &ranks);
	if (argc > 1 && strcmp(argv[1], "where") == 0)
		printf("rank %d on cpu %d\n", rank, sched_getcpu());
	if (argc > 1 && strcmp(argv[1], "pingpong") == 0)
		return ranks >= 2 ? ping_pong(rank) : fail("a ping-pong needs 2 ranks");

	mine = 1 + rank;
	MPI_Allreduce(&mine, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
	if (sum != ranks * (ranks + 1) / 2)
		return fail("allreduce gave a wrong sum");

	out = malloc(sizeof(int) * ranks);
	in = malloc(sizeof(int) * ranks);
	if (!out || !in)
		return fail("no memory");
	for (i = 0; i < ranks; i++)
		out[i] = 1000 * rank + i;
	MPI_Alltoall(out, 1, MPI_INT, in, 1, MPI_INT, MPI_COMM_WORLD);
	for (i = 0; i < ranks; i++)
		if (in[i] != 1000 * i + rank)
			return fail("alltoall gave a wrong value");

	if (ranks >= 2 && rank < 2) {
		message = malloc(MESSAGE_BYTES);
		if (!message)
			return fail("no memory");
		if (rank == 0) {
			for (i = 0; i < (int)MESSAGE_BYTES; i++)
				message[i] = (unsigned char)(i * 7 + i / 4096);
			MPI_Send(message, MESSAGE_BYTES, MPI_BYTE, 1, 1, MPI_COMM_WORLD);
			memset(message, 0, MESSAGE_BYTES);
			MPI_Recv(message, MESSAGE_BYTES, MPI_BYTE, 1, 2, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
		} else {
			MPI_Recv(message, MESSAGE_BYTES, MPI_BYTE, 0, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
			MPI_Send(message, MESSAGE_BYTES, MPI_BYTE, 0, 2, MPI_COMM_WORLD);
		}
		message_sum = checksum(message, MESSAGE_BYTES);
		free(message);
	}
	printf("rank %d of %d: allreduce %d, alltoall %016llx, message %016llx\n", rank, ranks, sum,
	       (unsigned long long)checksum((unsigned char *)in, sizeof(int) * ranks),
	       (unsigned long long)message_sum);
	free(out);
	free(in);
	MPI_Finalize();
	return 0;
}
