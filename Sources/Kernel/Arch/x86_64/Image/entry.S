/* SPDX-License-Identifier: GPL-2.0 */
/*
 * entry.S - where every LWK CPU arrives from Linux's real-mode trampoline
 * (64-bit mode, Linux's CR4/EFER, the trampoline's GDT and page table,
 * interrupts off, no usable IDT), and the interrupt stubs.
 *
 * The first CPU to arrive (entry count 0) zeroes .bss, takes the boot stack
 * and calls lwk_bsp_main(boot block).  Later CPUs were started by the LWK
 * itself: they load the LWK's page table and the stack the BSP left in
 * lwk_ap_cr3/lwk_ap_stack and call lwk_ap_main(index).
 */
/*
 * RFLAGS a program may set and get back in user mode (CF PF AF ZF SF TF DF
 * OF NT AC ID); IF and bit 1 are always on there.  Every return to user
 * mode keeps only these, so nothing a kernel path left in the frame (IOPL,
 * VM, RF, IF off) reaches ring 3.
 */
	.set	USER_RFLAGS, 0x244dd5
	.set	USER_RFLAGS_ON, 0x202
/* struct lwk_frame's vector: a system call, and one to leave through IRETQ */
	.set	SYSCALL_VECTOR, 0x100
	.set	SYSCALL_IRET, 0x101

/* struct lwk_percpu (lwk_arch.h), reached through %gs after swapgs */
	.set	PERCPU_KERNEL_RSP, 0
	.set	PERCPU_USER_RSP, 8
	.set	PERCPU_KERNEL_CR3, 24
	.set	PERCPU_USER_CR3, 32
	.set	PERCPU_SCRATCH, 40
	.set	PERCPU_ENTRY_STACK, 48

	.section .text.entry, "ax"
	.globl _start
_start:
	cli
	cld
	movl	$1, %eax
	lock xaddl %eax, lwk_entry_count(%rip)
	testl	%eax, %eax
	jnz	1f
	/* BSP: zero .bss (without a stack: the boot stack is in .bss) */
	leaq	__bss_start(%rip), %rdi
	leaq	__bss_end(%rip), %rcx
	subq	%rdi, %rcx
	xorl	%eax, %eax
	rep stosb
	leaq	lwk_boot_stack_top(%rip), %rsp
	leaq	lwk_image_end(%rip), %rdi
	call	lwk_bsp_main
	jmp	lwk_halt_forever
1:	/* AP */
	movq	lwk_ap_cr3(%rip), %rax
	movq	%rax, %cr3
	movq	lwk_ap_stack(%rip), %rsp
	movl	lwk_ap_index(%rip), %edi
	call	lwk_ap_main
	jmp	lwk_halt_forever

	.text
	.globl lwk_halt_forever
lwk_halt_forever:
	cli
2:	hlt
	jmp	2b

/* lwk_load_gdt_idt(gdtr, idtr): a CPU's GDT (code 0x08, data 0x10, from lwk_cpu_tables) and the IDT. */
	.globl lwk_load_gdt_idt
lwk_load_gdt_idt:
	lgdt	(%rdi)
	lidt	(%rsi)
	movl	$0x10, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	xorl	%eax, %eax
	movl	%eax, %fs
	movl	%eax, %gs
	popq	%rax		/* return address */
	pushq	$0x08
	pushq	%rax
	lretq

/*
 * lwk_restart_on_stack(top, cpu): a process ended (in a system call, a trap or
 * before it started); drop whatever the stack holds and run
 * lwk_process_end(cpu) from the top of it.  It never returns: it goes back
 * to the idle loop, so nothing accumulates from one process to the next.
 */
	.globl lwk_restart_on_stack
lwk_restart_on_stack:
	cli
	movq	%rdi, %rsp
	movq	%rsi, %rdi
	call	lwk_process_end
	jmp	lwk_halt_forever

/*
 * lwk_switch_stack(save, next): another context of this CPU runs
 * (Scheduler.swift).  The callee-saved registers go on this stack and its
 * pointer to *save; 'next' is a stack saved the same way, or one
 * lwk_context_stack made, whose registers are popped and whose return
 * address taken.  This call returns when a switch names this stack again.
 * Interrupts stay off throughout.
 */
	.globl lwk_switch_stack
lwk_switch_stack:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, (%rdi)
	movq	%rsi, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret

/* A context's first turn (lwk_context_stack): lwk_context_main(its index in r12). */
	.globl lwk_context_first
lwk_context_first:
	movq	%r12, %rdi
	call	lwk_context_main
	jmp	lwk_halt_forever

/*
 * The general registers of struct lwk_frame (lwk_arch.h), r15 lowest: every
 * entry path saves and restores them with these, so the layout is written once.
 */
.macro PUSH_REGS
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
.endm

.macro POP_REGS
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
.endm

/*
 * Page-table isolation (pti=on; struct lwk_percpu's user_cr3 is 0 without):
 * in ring 3 a CPU runs on its user root, which maps of the kernel only this
 * section, the IDT and the CPU's own page of GDT, TSS, percpu block and entry
 * stack (IsolatedUserRoot.swift).  So every way in switches CR3 to the
 * process root before it touches anything else, and every way out switches
 * back as the last thing before SYSRET/IRETQ, from code and data the user
 * root maps.  Interrupts and exceptions from ring 3 arrive on the entry stack
 * (the TSS's RSP0) and move their frame to the kernel stack; IRETQ to ring 3
 * leaves from the entry stack.  Interrupts are off on all these paths; an NMI
 * in the middle of one lands in ring 0 and is a PANIC, as any NMI in ring 0.
 */
	.section .text.user_entry, "ax"

/* Moves a frame of n words at (%rax) onto this stack, the highest word first. */
.macro PUSH_FRAME_AT_RAX n
	.set	frame_offset, (\n - 1) * 8
	.rept	\n
	pushq	frame_offset(%rax)
	.set	frame_offset, frame_offset - 8
	.endr
.endm

/*
 * SYSCALL from ring 3.  FMASK has cleared every flag Linux's SYSCALL_MASK
 * does (NT, AC, DF, TF, IF among them); GS is still the user's, so swapgs
 * first to reach this CPU's block (struct lwk_percpu: kernel stack top, a
 * scratch slot for the user RSP, the LWK CPU index).  The frame has struct
 * lwk_frame's shape, so lwk_syscall(frame, cpu) reads the arguments from it
 * and leaves the result in frame->rax.  Back through SYSRET (RCX = RIP,
 * R11 = the user's RFLAGS, sanitised), interrupts still off.
 */
	.globl lwk_syscall_entry
lwk_syscall_entry:
	swapgs
	movq	%rsp, %gs:PERCPU_USER_RSP
	cmpq	$0, %gs:PERCPU_USER_CR3
	je	1f
	movq	%gs:PERCPU_KERNEL_CR3, %rsp	/* the user's RSP is saved: a scratch register */
	movq	%rsp, %cr3
1:	movq	%gs:PERCPU_KERNEL_RSP, %rsp
	pushq	$0x23		/* ss */
	pushq	%gs:PERCPU_USER_RSP	/* rsp */
	pushq	%r11		/* rflags */
	pushq	$0x2b		/* cs */
	pushq	%rcx		/* rip */
	pushq	$0		/* error */
	pushq	$SYSCALL_VECTOR	/* vector: a system call */
	PUSH_REGS
	movq	%rsp, %rdi
	movq	%gs:16, %rsi
	call	lwk_syscall
	cli
	POP_REGS
	addq	$16, %rsp	/* vector, error */
	/*
	 * lwk_syscall marks the frame (vector SYSCALL_IRET) when SYSRET cannot
	 * restore it: rt_sigreturn to a context whose rcx and r11 matter, or
	 * with TF or RF set.  The frame is an IRET frame already.
	 */
	cmpq	$SYSCALL_IRET, -16(%rsp)
	jne	3f
	andq	$USER_RFLAGS, 16(%rsp)
	orq	$USER_RFLAGS_ON, 16(%rsp)
	swapgs			/* lwk_iret_to_user starts from the user's GS */
	jmp	lwk_iret_to_user
3:	popq	%rcx		/* rip */
	addq	$8, %rsp	/* cs */
	popq	%r11		/* rflags */
	andl	$USER_RFLAGS, %r11d
	orl	$USER_RFLAGS_ON, %r11d
	popq	%rsp		/* the user's stack */
	cmpq	$0, %gs:PERCPU_USER_CR3
	je	2f
	movq	%rsp, %gs:PERCPU_USER_RSP
	movq	%gs:PERCPU_USER_CR3, %rsp
	movq	%rsp, %cr3
	movq	%gs:PERCPU_USER_RSP, %rsp
2:	swapgs
	sysretq

/*
 * To ring 3 through IRETQ: RSP points at the frame (rip cs rflags rsp ss) on
 * the kernel stack, every general register holds the user's value, GS the
 * user's (KERNEL_GS_BASE this CPU's block).  With isolation the frame moves
 * to the entry stack first: the kernel stack is not in the user root.
 */
lwk_iret_to_user:
	swapgs
	cmpq	$0, %gs:PERCPU_USER_CR3
	je	1f
	movq	%rax, %gs:PERCPU_SCRATCH
	movq	%rsp, %rax
	movq	%gs:PERCPU_ENTRY_STACK, %rsp
	PUSH_FRAME_AT_RAX 5	/* rip cs rflags rsp ss */
	movq	%gs:PERCPU_USER_CR3, %rax
	movq	%rax, %cr3
	movq	%gs:PERCPU_SCRATCH, %rax
1:	swapgs
	iretq

/*
 * lwk_enter_user(rip, rsp, kernel stack top): the first entry of a process
 * into ring 3.  One-way: the kernel stack starts afresh at its top (where the
 * next entry's frame lands: RSP0, or moved there from the entry stack), and
 * every register is zero, as Linux leaves them at execve.  RFLAGS = IF | bit 1.
 */
	.globl lwk_enter_user
lwk_enter_user:
	cli
	movq	%rdx, %rsp
	pushq	$0x23		/* ss: user data */
	pushq	%rsi		/* rsp */
	pushq	$USER_RFLAGS_ON	/* rflags */
	pushq	$0x2b		/* cs: user code */
	pushq	%rdi		/* rip */
	movl	$0x23, %eax
	movl	%eax, %ds
	movl	%eax, %es
	xorl	%eax, %eax
	xorl	%ebx, %ebx
	xorl	%ecx, %ecx
	xorl	%edx, %edx
	xorl	%esi, %esi
	xorl	%edi, %edi
	xorl	%ebp, %ebp
	xorl	%r8d, %r8d
	xorl	%r9d, %r9d
	xorl	%r10d, %r10d
	xorl	%r11d, %r11d
	xorl	%r12d, %r12d
	xorl	%r13d, %r13d
	xorl	%r14d, %r14d
	xorl	%r15d, %r15d
	jmp	lwk_iret_to_user

/*
 * lwk_resume_user(frame, kernel stack top): a new thread's first entry into ring 3,
 * with every register of 'frame' (its parent's at clone, rax 0).  One-way, like
 * lwk_enter_user; cs, ss and RFLAGS are the user's whatever the frame says.
 */
	.globl lwk_resume_user
lwk_resume_user:
	cli
	movq	%rdi, %rax
	movq	%rsi, %rsp
	PUSH_FRAME_AT_RAX 22	/* all of struct lwk_frame */
	movl	$0x23, %ecx
	movl	%ecx, %ds
	movl	%ecx, %es
	POP_REGS
	addq	$16, %rsp	/* vector, error */
	movq	$0x2b, 8(%rsp)	/* cs */
	andq	$USER_RFLAGS, 16(%rsp)
	orq	$USER_RFLAGS_ON, 16(%rsp)
	movq	$0x23, 32(%rsp)	/* ss */
	jmp	lwk_iret_to_user

/* Interrupt stubs: push a zero error code where the CPU does not, the vector, the registers. */
.macro STUB vec, has_error
	.align 16
stub_\vec:
	.if \has_error == 0
	pushq	$0
	.endif
	pushq	$\vec
	jmp	common_stub
.endm

common_stub:
	testb	$3, 24(%rsp)	/* from user mode? (cs, above vector, error and rip) */
	jz	2f
	swapgs
	cmpq	$0, %gs:PERCPU_USER_CR3
	je	1f
	/* on the entry stack: the process root, then the frame onto the kernel stack */
	movq	%rax, %gs:PERCPU_SCRATCH
	movq	%gs:PERCPU_KERNEL_CR3, %rax
	movq	%rax, %cr3
	movq	%rsp, %rax
	movq	%gs:PERCPU_KERNEL_RSP, %rsp
	PUSH_FRAME_AT_RAX 7	/* vector error rip cs rflags rsp ss */
	movq	%gs:PERCPU_SCRATCH, %rax
1:	swapgs
2:	PUSH_REGS
	movq	%rsp, %rdi
	cld
	call	lwk_trap
	POP_REGS
	addq	$16, %rsp
	testb	$3, 8(%rsp)	/* back to user mode? */
	jz	3f
	andq	$USER_RFLAGS, 16(%rsp)
	orq	$USER_RFLAGS_ON, 16(%rsp)
	jmp	lwk_iret_to_user
3:	iretq

	STUB 0, 0
	STUB 1, 0
	STUB 2, 0
	STUB 3, 0
	STUB 4, 0
	STUB 5, 0
	STUB 6, 0
	STUB 7, 0
	STUB 8, 1
	STUB 9, 0
	STUB 10, 1
	STUB 11, 1
	STUB 12, 1
	STUB 13, 1
	STUB 14, 1
	STUB 15, 0
	STUB 16, 0
	STUB 17, 1
	STUB 18, 0
	STUB 19, 0
	STUB 20, 0
	STUB 21, 1

/*
 * Every vector from 32 up: a stub each, 16 bytes apart, pushing its vector.
 * lwk_trap() tells the IKC IPI and the spurious vector from an interrupt the
 * LWK did not ask for (Linux can still aim an IPI at a CPU it has offlined,
 * e.g. a broadcast), which is acknowledged and counted instead of hitting
 * an empty gate (#GP, a PANIC).
 */
	.align 16
	.globl lwk_interrupt_stubs
lwk_interrupt_stubs:
	.set interrupt_vector, 32
	.rept 256 - 32
	.align 16
	pushq	$0
	pushq	$interrupt_vector
	jmp	common_stub
	.set interrupt_vector, interrupt_vector + 1
	.endr

	.section .data
	.align 8
lwk_entry_count:
	.long	0
	.long	0
	.globl lwk_vectors
lwk_vectors:
	.quad stub_0, stub_1, stub_2, stub_3, stub_4, stub_5, stub_6, stub_7
	.quad stub_8, stub_9, stub_10, stub_11, stub_12, stub_13, stub_14, stub_15
	.quad stub_16, stub_17, stub_18, stub_19, stub_20, stub_21
	.fill 32 - 22, 8, 0
	.globl lwk_ap_cr3, lwk_ap_stack, lwk_ap_index
lwk_ap_cr3:	.quad 0
lwk_ap_stack:	.quad 0
lwk_ap_index:	.long 0
	.long 0

	.section .bss
	.align 4096
	.globl lwk_idt
lwk_idt:
	.skip 4096
lwk_boot_stack:
	.skip 32768
	.globl lwk_boot_stack_top
lwk_boot_stack_top:
