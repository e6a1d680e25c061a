Console.WriteLine("bytestream: SKELETON");
return 0;
