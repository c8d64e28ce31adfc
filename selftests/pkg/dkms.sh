#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms.conf, tested with Debian's dkms the way a kernel update uses it:
#
#   selftests/pkg/dkms.sh
#
# 1. dkms.conf's kernel bound, BUILD_EXCLUSIVE_KERNEL (what Debian 12's dkms
#    reads) checked against versions on both sides of
#    BUILD_EXCLUSIVE_KERNEL_MIN (what newer dkms reads), with dkms's own
#    test; and a kernel below the bound is refused by dkms with its "not
#    supported" status 77.
# 2. For every kernel found, `dkms add`, `dkms build`, `dkms install`,
#    `dkms remove`: the module that was installed is built for that kernel
#    (vermagic) and carries the genl family alias that autoloads it.
#
# Kernels: each /lib/modules/*/build of the host (Debian's linux-headers
# packages), the test kernel (KDIR, default selftests/vm/kernel.sh), and the
# build directories in TBR_PKG_KERNELS (space separated). A kernel that
# joins the range (6.1, once the compat layer builds there) is tested
# without changing this script.
#
# dkms runs on private trees under build/pkg/ (--dkmstree, --sourcetree,
# --installtree, --no-depmod; depmod -b on the result), so the host's
# /var/lib/dkms and /lib/modules are left alone. The source is
# TBR_PKG_DKMS_SRC when set (the deb test passes the tree the package
# installed), else what scripts/dkms-src.sh installs. The install tree,
# build/pkg/modroot/lib/modules, is what the autoload test in the VM
# (selftests/tapbridge_autoload.sh) takes the module from.

. "$(dirname "$0")/lib.sh"

alias_name=net-pf-16-proto-16-family-tapbridge
dkmsdir=$pkgdir/dkms
modroot=$pkgdir/modroot

# --- 1. The kernel bound -----------------------------------------------------

# The directives, read as dkms reads them: dkms.conf is a shell fragment.
# shellcheck disable=SC1091
bound=$(. "$top/dkms.conf"; echo "$BUILD_EXCLUSIVE_KERNEL_MIN")
regex=$(. "$top/dkms.conf"; echo "$BUILD_EXCLUSIVE_KERNEL")

# in_range RELEASE: dkms 3.0.10's test (build_exclude unless it matches).
in_range() {
	[[ $1 =~ $regex ]]
}

# Releases around the bound, and each one's place: the version order of
# RELEASE against the bound, as newer dkms compares (sort -V).
bound_ok=1
for rel in 5.10.0-32-amd64 6.0.19 "$bound.0-35-amd64" "$bound" \
	   6.12.118+deb12-amd64 6.16.3+deb13-amd64 6.99.1 7.0.0 10.1.2 \
	   "${bound%.*}.$(( ${bound#*.} - 1 )).5"; do
	if [ "$(printf '%s\n' "${bound}" "${rel%%[-+]*}" | sort -V | head -n 1)" = "$bound" ]; then
		want=in
	else
		want=out
	fi
	got=out
	in_range "$rel" && got=in
	if [ "$got" != "$want" ]; then
		echo "# $rel: BUILD_EXCLUSIVE_KERNEL says $got, BUILD_EXCLUSIVE_KERNEL_MIN=$bound says $want"
		bound_ok=0
	fi
done
check "dkms.conf: BUILD_EXCLUSIVE_KERNEL agrees with BUILD_EXCLUSIVE_KERNEL_MIN=$bound" \
	test "$bound_ok" -eq 1

# dkms_ ARGS...: dkms on the private trees.
dkms_() {
	dkms --dkmstree "$dkmsdir" --sourcetree "$pkgdir/dkms-src" \
	     --installtree "$modroot/lib/modules" --no-depmod "$@"
}

rm -rf "$dkmsdir" "$modroot" "$pkgdir/dkms-src"
mkdir -p "$dkmsdir" "$modroot/lib/modules" "$pkgdir/dkms-src"
src=${TBR_PKG_DKMS_SRC:-}
if [ -z "$src" ]; then
	src=$pkgdir/dkms-src/tapbridge-$version
	"$top/scripts/dkms-src.sh" "$src"
else
	ln -s "$src" "$pkgdir/dkms-src/tapbridge-$version"
fi
echo "# dkms source: ${src#"$top"/}"

if ! logged dkms-add dkms_ add -m tapbridge -v "$version"; then
	not_ok "dkms add tapbridge/$version"
	totals
	exit
fi
ok "dkms add tapbridge/$version"

# A kernel below the bound: dkms must say "not for this kernel" (77)
# before looking at its headers, which are an empty stand-in.
old=5.10.0-tbr-fake
mkdir -p "$pkgdir/fake-kernel"
: >"$pkgdir/fake-kernel/Makefile"
dkms_ build -m tapbridge -v "$version" -k "$old" \
	--kernelsourcedir "$pkgdir/fake-kernel" >"$logdir/dkms-build-$old.log" 2>&1
rc=$?
if [ "$rc" -eq 77 ]; then
	ok "dkms build for $old is refused as outside BUILD_EXCLUSIVE (77)"
else
	not_ok "dkms build for $old is refused as outside BUILD_EXCLUSIVE (exit $rc, want 77)"
	tail -n 5 "$logdir/dkms-build-$old.log" | diag
fi

# --- 2. Every kernel found -------------------------------------------------------

kdirs=()
for d in /lib/modules/*/build; do
	[ -f "$d/Makefile" ] && kdirs+=("$(readlink -f "$d")")
done
testk=${KDIR:-$("$top/selftests/vm/kernel.sh" 2>>"$logdir/kernel.log")}
[ -f "$testk/Makefile" ] && kdirs+=("$testk")
# shellcheck disable=SC2206 # a list of directories, split on spaces
kdirs+=(${TBR_PKG_KERNELS:-})

# test_kernel KDIR: add/build/install/remove against one kernel.
test_kernel() {
	local kdir=$1 rel ko vermagic

	# The release that vermagic carries. Not include/config/kernel.release:
	# Debian's 6.1 headers have "6.1.192" there for 6.1.0-57-amd64.
	rel=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' \
		"$kdir/include/generated/utsrelease.h" 2>/dev/null)
	if [ -z "$rel" ]; then
		not_ok "kernel at $kdir has a release (include/generated/utsrelease.h)"
		return
	fi
	if ! in_range "$rel"; then
		skip "dkms build and install for $rel" "below BUILD_EXCLUSIVE_KERNEL_MIN=$bound"
		return
	fi
	if ! logged "dkms-build-$rel" dkms_ build -m tapbridge -v "$version" \
			-k "$rel" --kernelsourcedir "$kdir"; then
		not_ok "dkms build for $rel"
		return
	fi
	ok "dkms build for $rel"

	mkdir -p "$modroot/lib/modules/$rel"
	if ! logged "dkms-install-$rel" dkms_ install -m tapbridge -v "$version" \
			-k "$rel" --kernelsourcedir "$kdir" ||
	   ! logged "depmod-$rel" depmod -b "$modroot" "$rel"; then
		not_ok "dkms install for $rel"
		return
	fi
	ko=$(find "$modroot/lib/modules/$rel" -name 'tapbridge.ko*' | head -n 1)
	vermagic=$(modinfo -F vermagic "$ko" 2>/dev/null)
	if [ -n "$ko" ] && [ "${vermagic%% *}" = "$rel" ] &&
	   grep -qx "alias $alias_name tapbridge" "$modroot/lib/modules/$rel/modules.alias"; then
		ok "dkms install for $rel: ${ko#"$modroot"/}, vermagic $rel, alias $alias_name"
	else
		not_ok "dkms install for $rel: module, vermagic and alias"
		echo "#   module: ${ko:-none}, vermagic: ${vermagic:-none}"
		grep tapbridge "$modroot/lib/modules/$rel/modules.alias" 2>&1 | diag
	fi
}

for kdir in "${kdirs[@]}"; do
	test_kernel "$kdir"
done
if [ "${#kdirs[@]}" -eq 0 ]; then
	not_ok "a kernel to build against (install linux-headers-$(uname -r))"
fi

# Removal, as the package's prerm does it, leaves no module behind. The
# modules installed are kept for the VM, so this runs on a copy of the
# trees.
if [ "$PASS" -gt 3 ]; then
	rm -rf "$pkgdir/dkms-rm" && mkdir -p "$pkgdir/dkms-rm"
	cp -a "$dkmsdir" "$modroot" "$pkgdir/dkms-rm/"
	if logged dkms-remove dkms --dkmstree "$pkgdir/dkms-rm/dkms" \
			--sourcetree "$pkgdir/dkms-src" \
			--installtree "$pkgdir/dkms-rm/modroot/lib/modules" --no-depmod \
			remove -m tapbridge -v "$version" --all &&
	   [ -z "$(find "$pkgdir/dkms-rm/modroot" -name 'tapbridge.ko*')" ] &&
	   [ ! -e "$pkgdir/dkms-rm/dkms/tapbridge/$version" ]; then
		ok "dkms remove --all removes every installed module"
	else
		not_ok "dkms remove --all removes every installed module"
		find "$pkgdir/dkms-rm/modroot" -name 'tapbridge.ko*' | diag
	fi
fi

totals
