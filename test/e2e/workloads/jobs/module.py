import sys
print(f"OK module {__name__} python{sys.version_info[0]}")
