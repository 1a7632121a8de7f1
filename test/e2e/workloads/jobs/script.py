import sys
print(f"OK script python{sys.version_info[0]}.{sys.version_info[1]}")
