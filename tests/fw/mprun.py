# Runs one firmware test module's test_* functions inside MicroPython and reports each result.
import sys


def main():
    name = sys.argv[1]
    only = sys.argv[2:]  # optional list of function names
    try:
        mod = __import__(name)
    except Exception as exc:  # import failure fails every test of the module
        print("IMPORTERROR %s" % name)
        sys.print_exception(exc)
        return
    names = [n for n in sorted(dir(mod)) if n.startswith("test_")]
    for fn_name in names:
        if only and fn_name not in only:
            continue
        fn = getattr(mod, fn_name)
        try:
            fn()
        except Exception as exc:
            print("RESULT %s FAIL" % fn_name)
            sys.print_exception(exc)
            print("ENDFAIL")
        else:
            print("RESULT %s PASS" % fn_name)


main()
